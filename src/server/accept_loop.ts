/**
 * The accept loop: one session per connection, all running at once, so a slow client
 * never delays another. Connections over a session cap are told why and closed (or an
 * idle session gives way, see `admission.ts`). Knows nothing of what a session does:
 * it is handed a factory.
 *
 * Shutting down stops accepting at once and asks every session to stop: idle ones
 * close with a goodbye, busy ones after the command under way, for a grace period;
 * then (or on a second shutdown) every session still open is ended.
 *
 * @module
 */

import { describeError, formatAddress } from "../common/text.ts";
import { formatRefusal } from "../protocol/replies.ts";
import { closeQuietly, type Connection, type Listener } from "../transport/connection.ts";
import { pause } from "../transport/deadline.ts";
import type { Admission, SessionSlot } from "./admission.ts";
import type { EventLog } from "./log.ts";

/**
 * Runs one session on a connection until it ends: `slot` asks it to stop when it can
 * (see {@linkcode SessionSlot}); `signal` aborts when it must end at once.
 */
export type SessionFactory = (
  connection: Connection,
  signal: AbortSignal,
  slot: SessionSlot,
) => Promise<void>;

/** What sessions hear when the server shuts down. */
export const SHUTTING_DOWN = "The server is shutting down";

/** Options for {@linkcode AcceptLoop.shutdown}. */
export interface ShutdownOptions {
  /**
   * Milliseconds that commands under way may take to finish before they are ended.
   * Default 0: end them at once. A second shutdown ends them at once too.
   */
  grace?: number;
}

/** Options for {@linkcode acceptConnections}. */
export interface AcceptOptions {
  admission: Admission;
  startSession: SessionFactory;
  log?: EventLog;
}

/** A running accept loop. */
export interface AcceptLoop {
  /** Settles when the loop has stopped and every session has ended. */
  finished: Promise<void>;
  /** Stops accepting, lets sessions finish within the grace period, and waits for them. */
  shutdown(options?: ShutdownOptions): Promise<void>;
}

/** How long to wait before accepting again after `accept()` failed. */
const ACCEPT_RETRY_MS = 100;

/** Accepts connections on `listener` until shut down. */
export function acceptConnections(listener: Listener, options: AcceptOptions): AcceptLoop {
  /** Aborts when every session must end now. */
  const ending = new AbortController();
  let draining = false;
  /** Sessions, and refusals being sent to connections over a limit. */
  const running = new Set<Promise<void>>();
  const track = (work: Promise<void>) => {
    const tracked = work.finally(() => running.delete(tracked));
    running.add(tracked);
  };

  function admit(connection: Connection): void {
    if (draining) return closeQuietly(connection); // Accepted as shutdown began.
    const slot = options.admission.admit(connection.remoteAddr.hostname);
    if (typeof slot === "string") {
      options.log?.({
        peer: formatAddress(connection.remoteAddr),
        action: "connect",
        result: `refused: ${slot}`,
      });
      track(turnAway(connection, slot));
      return;
    }
    track(options.startSession(connection, ending.signal, slot).finally(() => slot.release()));
  }

  async function loop(): Promise<void> {
    while (!draining) {
      try {
        admit(await listener.accept());
      } catch (error) {
        if (draining || error instanceof Deno.errors.BadResource) break;
        // Out of file descriptors, say: every open session still works, and new ones
        // can be admitted once some close. Log it and pause instead of spinning.
        options.log?.({
          peer: "-",
          action: "accept-error",
          result: `failed: ${describeError(error)}`,
        });
        await pause(ACCEPT_RETRY_MS, ending.signal);
      }
    }
    while (running.size > 0) await Promise.all(running);
  }

  const finished = loop();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const endNow = () => {
    clearTimeout(timer);
    ending.abort();
  };
  return {
    finished,
    async shutdown({ grace = 0 }: ShutdownOptions = {}) {
      if (draining || grace <= 0) endNow(); // A second shutdown ends the grace period.
      if (!draining) {
        draining = true;
        listener.close();
        options.admission.stopAll(SHUTTING_DOWN);
        if (!ending.signal.aborted) timer = setTimeout(endNow, grace);
      }
      await finished;
      clearTimeout(timer);
    },
  };
}

/** The refusal answers whatever the client sends first; a few bytes never block. */
async function turnAway(connection: Connection, reason: string): Promise<void> {
  const writer = connection.writable.getWriter();
  try {
    await writer.write(formatRefusal(reason));
  } catch {
    // Gone already.
  } finally {
    closeQuietly(connection);
  }
}

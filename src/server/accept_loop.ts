/**
 * The accept loop: one session per connection, all running at once, so a slow client
 * never delays another. Connections over a session cap are told why and closed.
 * Knows nothing of what a session does: it is handed a factory.
 *
 * @module
 */

import { describeError, formatAddress } from "../common/text.ts";
import { formatRefusal } from "../protocol/replies.ts";
import { closeQuietly, type Connection, type Listener } from "../transport/connection.ts";
import { pause } from "../transport/deadline.ts";
import type { Admission } from "./admission.ts";
import type { EventLog } from "./log.ts";

/** Runs one session on a connection until it ends; `signal` aborts on shutdown. */
export type SessionFactory = (connection: Connection, signal: AbortSignal) => Promise<void>;

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
  /** Stops accepting, ends every session, and waits for them. */
  shutdown(): Promise<void>;
}

/** How long to wait before accepting again after `accept()` failed. */
const ACCEPT_RETRY_MS = 100;

/** Accepts connections on `listener` until shut down. */
export function acceptConnections(listener: Listener, options: AcceptOptions): AcceptLoop {
  const stopping = new AbortController();
  /** Sessions, and refusals being sent to connections over a limit. */
  const running = new Set<Promise<void>>();
  const track = (work: Promise<void>) => {
    const tracked = work.finally(() => running.delete(tracked));
    running.add(tracked);
  };

  function admit(connection: Connection): void {
    if (stopping.signal.aborted) return closeQuietly(connection); // Accepted as shutdown began.
    const peer = connection.remoteAddr.hostname;
    const refusal = options.admission.admit(peer);
    if (refusal) {
      options.log?.({
        peer: formatAddress(connection.remoteAddr),
        action: "connect",
        result: `refused: ${refusal}`,
      });
      track(turnAway(connection, refusal));
      return;
    }
    track(
      options.startSession(connection, stopping.signal)
        .finally(() => options.admission.release(peer)),
    );
  }

  async function loop(): Promise<void> {
    while (!stopping.signal.aborted) {
      try {
        admit(await listener.accept());
      } catch (error) {
        if (stopping.signal.aborted || error instanceof Deno.errors.BadResource) break;
        // Out of file descriptors, say: every open session still works, and new ones
        // can be admitted once some close. Log it and pause instead of spinning.
        options.log?.({ peer: "-", action: "accept-error", result: describeError(error) });
        await pause(ACCEPT_RETRY_MS, stopping.signal);
      }
    }
    while (running.size > 0) await Promise.all(running);
  }

  const finished = loop();
  return {
    finished,
    async shutdown() {
      if (!stopping.signal.aborted) {
        stopping.abort();
        listener.close();
      }
      await finished;
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

/**
 * The accept loop: one {@linkcode runSession} per control connection, all running
 * at once, so a slow client never delays another. Shaped like `Deno.HttpServer`:
 * `addr`, `finished`, `shutdown()` and `await using`.
 *
 * @module
 */

import { RefusalError } from "./errors.ts";
import { FileStore } from "./file_store.ts";
import { closeQuietly, noDelay } from "./data_channel.ts";
import { describeError } from "./text.ts";
import { DEFAULT_LIMITS, type Limits } from "./limits.ts";
import { formatAddress, refusal, runSession, type SessionEvent } from "./server_session.ts";

/** Options for {@linkcode startServer}. */
export interface ServerOptions {
  /** The folder to share. */
  root: string;
  /** Interface to listen on. Default `0.0.0.0` (all IPv4 interfaces). */
  hostname?: string;
  /** Port to listen on; `0` lets the OS choose. Default 2121. */
  port?: number;
  /** Refuse every upload. Default `false`. */
  readOnly?: boolean;
  /** Deadlines and caps; each one missing takes its {@linkcode DEFAULT_LIMITS} value. */
  limits?: Partial<Limits>;
  /** Receives one event per thing a session did. Default: discard. */
  log?: (event: SessionEvent) => void;
}

/** A running ferry server. */
export interface Server extends AsyncDisposable {
  /** The address actually listened on (the real port when `port` was 0). */
  readonly addr: Deno.NetAddr;
  /** The store being served. */
  readonly store: FileStore;
  /** Temp files from a crashed earlier run, removed at start-up. */
  readonly removedStaleUploads: readonly string[];
  /** Settles when the server has stopped and every session has ended. */
  readonly finished: Promise<void>;
  /** Stops accepting, ends every session, and waits for them. */
  shutdown(): Promise<void>;
}

/** How long to wait before accepting again after `accept()` failed. */
const ACCEPT_RETRY_MS = 100;

/** Waits `ms`, or less if `signal` aborts first. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}

/** Opens the folder, clears stale uploads, and starts listening. */
export async function startServer(options: ServerOptions): Promise<Server> {
  const store = await FileStore.open(options.root, { readOnly: options.readOnly });
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  if (limits.minFreeBytes > 0 && await store.freeSpace() === undefined) {
    throw new RefusalError(
      "Cannot read the disk's free space here (it needs --allow-sys=statfs), so a free-space floor cannot be kept",
    );
  }
  const removedStaleUploads = store.readOnly ? [] : await store.removeStaleUploads();
  const listener = Deno.listen({
    hostname: options.hostname ?? "0.0.0.0",
    port: options.port ?? 2121,
  });
  const stopping = new AbortController();
  const sessions = new Set<Promise<void>>();
  /** Refusals being sent to connections over a limit; they are not sessions. */
  const turningAway = new Set<Promise<void>>();
  const sessionOptions = { store, limits, log: options.log };
  const perPeer = new Map<string, number>();

  /** Starts a session, or turns the connection away if a session limit is reached. */
  function admit(conn: Deno.TcpConn): void {
    if (stopping.signal.aborted) return closeQuietly(conn); // Accepted as shutdown began.
    noDelay(conn);
    const peer = conn.remoteAddr.hostname;
    const fromPeer = perPeer.get(peer) ?? 0;
    const full = sessions.size >= limits.maxSessions
      ? `The server is full (at most ${limits.maxSessions} at once): try again later`
      : fromPeer >= limits.maxSessionsPerPeer
      ? `Too many sessions from ${peer} (limit ${limits.maxSessionsPerPeer}): close one first`
      : undefined;
    if (full) {
      options.log?.({
        peer: formatAddress(conn.remoteAddr),
        action: "connect",
        result: `refused: ${full}`,
      });
      // The refusal answers whatever the client sends first; a few bytes never block.
      const refused: Promise<void> = conn.write(refusal(full)).then(() => {}, () => {})
        .finally(() => {
          closeQuietly(conn);
          turningAway.delete(refused);
        });
      turningAway.add(refused);
      return;
    }
    perPeer.set(peer, fromPeer + 1);
    const session = runSession(conn, sessionOptions, stopping.signal).finally(() => {
      sessions.delete(session);
      const left = perPeer.get(peer)! - 1;
      if (left === 0) perPeer.delete(peer);
      else perPeer.set(peer, left);
    });
    sessions.add(session);
  }

  async function acceptLoop(): Promise<void> {
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
    await Promise.all([...sessions, ...turningAway]);
  }

  const finished = acceptLoop();
  async function shutdown(): Promise<void> {
    if (!stopping.signal.aborted) {
      stopping.abort();
      listener.close();
    }
    await finished;
  }

  return {
    addr: listener.addr,
    store,
    removedStaleUploads,
    finished,
    shutdown,
    [Symbol.asyncDispose]: shutdown,
  };
}

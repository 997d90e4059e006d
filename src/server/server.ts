/**
 * `startServer()`: a ferry server, shaped like `Deno.HttpServer` (`addr`, `finished`,
 * `shutdown()` and `await using`). It opens the shared folder, clears what a crash
 * left, listens, and runs one session per control connection.
 *
 * @module
 */

import { DIGEST_NAMES } from "../common/digest.ts";
import { RefusalError } from "../common/errors.ts";
import { type Dialect, dialectFeatures, FERRY_DIALECT } from "../protocol/dialects.ts";
import type { Feature } from "../protocol/features.ts";
import type { NetAddress, Transport } from "../transport/connection.ts";
import { listenEverywhere } from "../transport/dual_stack.ts";
import { tcp } from "../transport/tcp.ts";
import { type TlsIdentity, tlsServer } from "../transport/tls.ts";
import { type AccessTokens, AuthThrottle } from "./access.ts";
import { acceptConnections, type ShutdownOptions } from "./accept_loop.ts";
import { Admission } from "./admission.ts";
import { DigestCache } from "./digest_cache.ts";
import { FileStore } from "./file_store.ts";
import { freeSpace } from "./free_space.ts";
import { DEFAULT_LIMITS, type Limits } from "./limits.ts";
import type { EventLog } from "./log.ts";
import { type ResumeState, resumeState } from "./resume_state.ts";
import { runSession } from "./session.ts";
import { removeStaleUploads } from "./stale_uploads.ts";

/**
 * The extensions a ferry server agrees to (PROTOCOL.md §9.3): paths and a current
 * folder, long listings and trees, changes to the folder, hashes on request, and
 * framed payloads, a choice of digest and small files inline (`frames`, `digest` and
 * `inline`), and resumed transfers on them (`resume`): these four only in a dialect
 * with trailers (see `dialectFeatures`).
 */
export const SERVER_FEATURES: readonly Feature[] = [
  { name: "path" },
  { name: "list-long" },
  { name: "manage" },
  { name: "hash" },
  { name: "frames" },
  { name: "digest", values: DIGEST_NAMES },
  { name: "inline" },
  { name: "resume" },
];

/** What a secure server adds: tokens, and tickets for data connections (§10). */
export const SECURE_FEATURES: readonly Feature[] = [{ name: "auth" }, { name: "tickets" }];

/** What makes a server secure: its TLS identity and the tokens it accepts. */
export interface SecureOptions {
  identity: TlsIdentity;
  tokens: AccessTokens;
}

/** Options for {@linkcode startServer}. */
export interface ServerOptions {
  /** The folder to share, or one file to share alone (read-only). */
  root: string;
  /**
   * Interface to listen on. Default: every interface, IPv6 and IPv4 (one dual-stack
   * socket on `::` where the system allows, else two listeners); `addr` then says `::`.
   */
  hostname?: string;
  /** Port to listen on; `0` lets the OS choose. Default 2121. */
  port?: number;
  /** Refuse every upload. Default `false`. */
  readOnly?: boolean;
  /** Deadlines and caps; each one missing takes its {@linkcode DEFAULT_LIMITS} value. */
  limits?: Partial<Limits>;
  /**
   * Encrypt every connection and require a token. Default: the classic protocol, in
   * the clear, open to anyone who can reach the port.
   */
  secure?: SecureOptions;
  /**
   * The classic protocol's dialect: how replies and data connections look
   * (PROTOCOL.md §15). Not with `secure`, which is ferry-to-ferry. Default `ferry`.
   */
  dialect?: Dialect;
  /** How to listen, for tests of other transports. Default TCP, or TLS when `secure`. */
  transport?: Transport;
  /** The extensions to agree to. Default {@linkcode SERVER_FEATURES}. */
  features?: readonly Feature[];
  /** Receives one event per thing a session did. Default: discard. */
  log?: EventLog;
  /**
   * Where the digests of served files are remembered (PROTOCOL.md §17, SECURITY.md),
   * saved at shutdown. Default: a cache in memory, for this run only.
   */
  digests?: DigestCache;
}

/** A running ferry server. */
export interface Server extends AsyncDisposable {
  /** The address actually listened on (the real port when `port` was 0). */
  readonly addr: NetAddress;
  /** The store being served. */
  readonly store: FileStore;
  /** Temp files from a crashed earlier run, removed at start-up. */
  readonly removedStaleUploads: readonly string[];
  /** Interrupted uploads kept for their clients to resume, and hash states of files sent. */
  readonly resume: ResumeState;
  /** Entries a crash left in the middle of a rename or removal, found at start-up and kept. */
  readonly strandedMoves: readonly string[];
  /** Settles when the server has stopped and every session has ended. */
  readonly finished: Promise<void>;
  /**
   * Stops accepting and waits for every session to end: idle ones are closed at once,
   * commands under way may finish within `options.grace` (default: none), then are
   * ended. Called again, it ends them all at once.
   */
  shutdown(options?: ShutdownOptions): Promise<void>;
}

/** Opens the folder, clears stale uploads, and starts listening. */
export async function startServer(options: ServerOptions): Promise<Server> {
  const store = await FileStore.open(options.root, { readOnly: options.readOnly });
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  if (limits.minFreeBytes > 0 && await freeSpace(store.root) === undefined) {
    throw new RefusalError(
      "Cannot read the disk's free space here (it needs --allow-sys=statfs), so a free-space floor cannot be kept",
    );
  }
  const { removed: removedStaleUploads, stranded: strandedMoves, kept } = store.readOnly
    ? { removed: [], stranded: [], kept: [] }
    : await removeStaleUploads(store.root);
  const resume = resumeState(limits);
  await resume.kept.load(kept);
  const { secure, dialect } = options;
  if (secure && dialect && dialect.name !== "ferry") {
    throw new TypeError(
      `Cannot serve the ${dialect.name} dialect securely: dialects are the classic protocol`,
    );
  }
  const transport = options.transport ?? (secure ? tlsServer(secure.identity) : tcp);
  const port = options.port ?? 2121;
  const listener = options.hostname === undefined
    ? listenEverywhere(transport, port)
    : transport.listen({ hostname: options.hostname, port });
  const digests = options.digests ?? await DigestCache.open();
  const sessionOptions = {
    store,
    digests,
    limits,
    transport,
    features: dialectFeatures(
      dialect ?? FERRY_DIALECT,
      options.features ?? [...SERVER_FEATURES, ...(secure ? SECURE_FEATURES : [])],
    ),
    security: secure ? { tokens: secure.tokens, throttle: new AuthThrottle() } : undefined,
    dialect,
    log: options.log,
    resume,
  };
  const loop = acceptConnections(listener, {
    admission: new Admission(limits),
    startSession: (connection, signal, slot) =>
      runSession(connection, sessionOptions, { signal, slot }),
    log: options.log,
  });
  // Saved once every session has ended, so the last uploads and reads are in it.
  const finished = loop.finished.finally(() => digests.save().catch(() => {}));
  const shutdown = async (how?: ShutdownOptions) => {
    await loop.shutdown(how);
    await finished;
  };
  return {
    addr: listener.addr,
    store,
    removedStaleUploads,
    resume,
    strandedMoves,
    finished,
    shutdown,
    [Symbol.asyncDispose]: () => shutdown(),
  };
}

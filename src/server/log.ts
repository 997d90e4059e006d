/**
 * What the server reports: one {@linkcode SessionEvent} per thing a session did.
 * The CLI turns them into log lines; tests wait for them.
 *
 * @module
 */

/** One line of the server's log: something a session did, and how it ended. */
export interface SessionEvent {
  /** The client's address, `host:port`. */
  peer: string;
  /** `connect`, `disconnect`, a command verb, or `protocol-error`/`intruder`. */
  action: string;
  /** The file name a command was about. */
  name?: string;
  /** Payload bytes moved. */
  bytes?: number;
  /** How long the command took, in milliseconds. */
  ms?: number;
  /** `ok`, or what went wrong, in one sentence. */
  result: string;
  /** For `internal-error`: the error itself, so its stack can be logged. */
  error?: unknown;
}

/** Where events go. */
export type EventLog = (event: SessionEvent) => void;

/**
 * The error classes ferry throws across module boundaries.
 *
 * The split follows Go's `net/textproto`: a {@linkcode ProtocolError} means the
 * peer broke the protocol (the session cannot continue), a {@linkcode RemoteError}
 * means the peer understood and said no (the session goes on). Local misuse uses the
 * built-in `TypeError`/`RangeError`.
 *
 * @module
 */

/** The peer sent bytes that do not follow the ferry protocol. */
export class ProtocolError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ProtocolError";
  }
}

/** The server refused a command, or reported a failed transfer, with this message. */
export class RemoteError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RemoteError";
  }
}

/** The bytes received do not match the SHA-256 the sender declared. */
export class IntegrityError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "IntegrityError";
  }
}

/** A connection ended or stalled before a transfer was complete. */
export class TransferError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TransferError";
  }
}

/**
 * The sender of a framed payload stopped it and said why (its file changed, say): a
 * transfer that ended, not one that was cut, so nothing of it is worth resuming.
 */
export class SenderStoppedError extends TransferError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SenderStoppedError";
  }
}

/**
 * A request the file store turns down for a reason the user can act on
 * ("no such file", "already exists", a bad name). Its message is sent to the peer.
 */
export class RefusalError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RefusalError";
  }
}

/** A problem with a file on the client's own machine (missing, not a file, exists). */
export class LocalFileError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "LocalFileError";
  }
}

/** The server could not be reached at all. */
export class ConnectError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConnectError";
  }
}

/** The user asked for something malformed: an unknown command, a bad name, bad arguments. */
export class UsageError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UsageError";
  }
}

/**
 * The peer speaks the protocol but lacks an extension the user asked for (a base
 * server and `features`, say). Its message says so in one sentence.
 */
export class UnsupportedError extends RemoteError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UnsupportedError";
  }
}

/** A download's local destination exists; ferry never replaces a file. */
export class DestinationExistsError extends LocalFileError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DestinationExistsError";
  }
}

/**
 * The peer answered in a form of the protocol other than the one this side speaks (a
 * frame where a port belongs, say): it was read whole, so the session can go on.
 */
export class DialectError extends ProtocolError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DialectError";
  }
}

/**
 * The server's identity could not be trusted: unknown and not confirmed, or not the
 * one trusted before. Never retried on its own: the user decides.
 */
export class TrustError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TrustError";
  }
}

/**
 * The user cancelled a transfer (Ctrl-C at the prompt), and the session goes on.
 * Nothing of it was kept, unless `kept`: then what arrived waits, hidden, for the
 * same command to continue from it (PROTOCOL.md §19).
 */
export class CancelledError extends Error {
  /** Whether the user has been told already (by a transfer's last progress line). */
  reported = false;
  /** Whether what arrived is kept for the same command to continue. */
  readonly kept: boolean;

  constructor(message: string, options?: ErrorOptions & { kept?: boolean }) {
    super(message, options);
    this.name = "CancelledError";
    this.kept = options?.kept ?? false;
  }
}

/**
 * A file changed while it was being sent (rewritten, grown, shrunk): the bytes sent
 * may mix two versions, so the transfer must not be vouched for.
 */
export class FileChangedError extends TransferError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "FileChangedError";
  }
}

/**
 * Something answered at the server's address, but not in the protocol: a server that
 * speaks first (SSH, SMTP, FTP), or one whose answer is not a field. The session is over.
 */
export class NotFerryError extends ConnectError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "NotFerryError";
  }
}

/**
 * A transfer the peer did not vouch for (a base-protocol server sends no checksum),
 * where the caller asked for every transfer to be verified.
 */
export class UnverifiedError extends IntegrityError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UnverifiedError";
  }
}

/**
 * Some files of a transfer of many were not transferred; each one's own error is in
 * `failures` (the first is the `cause`), and the message says how many.
 */
export class BatchError extends Error {
  readonly failures: readonly unknown[];

  constructor(message: string, failures: readonly unknown[]) {
    super(message, { cause: failures[0] });
    this.name = "BatchError";
    this.failures = failures;
  }
}

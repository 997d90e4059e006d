/**
 * ferry's exit codes, and which error means which. The README's tables say the same
 * in prose; keep them in step.
 *
 * @module
 */

import {
  BatchError,
  CancelledError,
  ConnectError,
  IntegrityError,
  LocalFileError,
  ProtocolError,
  RemoteError,
  TransferError,
  TrustError,
  UnverifiedError,
  UsageError,
} from "../common/errors.ts";

/** Everything worked. */
export const OK = 0;
/** An unexpected internal error: a bug in ferry. */
export const INTERNAL_ERROR = 1;
/** Bad usage: unknown command or option, wrong arguments, a name that cannot be sent. */
export const USAGE = 2;
/** `connect`: the server could not be reached. */
export const CANNOT_CONNECT = 3;
/** `serve`: the address or port could not be listened on. */
export const CANNOT_LISTEN = 3;
/** The server refused a command (no such file, already exists, read-only, ...). */
export const REFUSED = 4;
/** A transfer failed: connection lost, protocol violation, or checksum mismatch. */
export const TRANSFER_FAILED = 5;
/** A local file problem: missing, not a regular file, or already exists. */
export const LOCAL_FILE = 6;
/** `connect`: the server's identity is unknown and was not confirmed, or has changed. */
export const UNTRUSTED = 7;
/** `connect --verify`: a transfer the server did not vouch for with a checksum. */
export const NOT_VERIFIED = 8;
/** Stopped by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it). */
export const INTERRUPTED = 130;

/** Every exit code `connect` can end with, and what it means, for `connect --help`. */
export const CONNECT_EXIT_CODES: readonly (readonly [number, string])[] = [
  [OK, "everything worked"],
  [INTERNAL_ERROR, "internal error (a bug in ferry)"],
  [USAGE, "bad usage: unknown command or option, wrong arguments, a name not allowed"],
  [CANNOT_CONNECT, "cannot connect, or what answered is not a ferry or simple-FTP server"],
  [REFUSED, "refused by the server: no such file, already exists, read-only, ..."],
  [TRANSFER_FAILED, "transfer failed: connection lost, protocol violation, checksum mismatch"],
  [LOCAL_FILE, "local file problem: missing, not a regular file, already exists"],
  [UNTRUSTED, "the server's identity is new and was not confirmed, or it has changed"],
  [NOT_VERIFIED, "--verify: a transfer the server did not vouch for with a checksum"],
  [INTERRUPTED, "interrupted: Ctrl-C or SIGTERM in a script, Ctrl-C at a question"],
];

/** The exit code that reports `error`. */
export function exitCodeFor(error: unknown): number {
  // Some files of many were not transferred: the first one's failure says why.
  if (error instanceof BatchError) return exitCodeFor(error.cause);
  if (error instanceof UsageError) return USAGE;
  if (error instanceof ConnectError) return CANNOT_CONNECT;
  if (error instanceof RemoteError) return REFUSED;
  if (error instanceof UnverifiedError) return NOT_VERIFIED;
  if (
    error instanceof TransferError || error instanceof ProtocolError ||
    error instanceof IntegrityError
  ) return TRANSFER_FAILED;
  if (error instanceof LocalFileError) return LOCAL_FILE;
  if (error instanceof TrustError) return UNTRUSTED;
  if (error instanceof CancelledError) return INTERRUPTED;
  return INTERNAL_ERROR;
}

/**
 * The one place a server-side error becomes words for the client. Refusals,
 * transfer failures and protocol errors speak for themselves; anything else is a
 * bug, reported as "Internal server error" and logged with its stack.
 *
 * @module
 */

import { ProtocolError, RefusalError, TransferError } from "../common/errors.ts";

/** What to tell the client about a failed command. */
export interface Failure {
  /** One sentence for the client and the log. */
  message: string;
  /** Whether this is a bug in ferry (log it with its stack). */
  bug: boolean;
}

/** The words for `error`. */
export function failureOf(error: unknown): Failure {
  if (
    error instanceof RefusalError || error instanceof TransferError ||
    error instanceof ProtocolError
  ) {
    return { message: error.message, bug: false };
  }
  return { message: "Internal server error", bug: true };
}

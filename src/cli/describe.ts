/**
 * The one sentence a user sees for a failure, and its exit code.
 *
 * @module
 */

import { DestinationExistsError, RemoteError, UnsupportedError } from "../common/errors.ts";
import { describeError, printable } from "../common/text.ts";

/** One sentence: a server's refusal says so, the rest speak for themselves. */
export function describeFailure(error: unknown): string {
  if (error instanceof UnsupportedError) return printable(error.message);
  if (error instanceof RemoteError) return `Server refused: ${error.message}`;
  if (error instanceof DestinationExistsError) {
    return `${printable(error.message)}; give another name, or -f to replace it`;
  }
  return printable(describeError(error));
}

/**
 * `hash PATH` (the `hash` extension, PROTOCOL.md §14): the SHA-256 of a file, worked
 * out on the server and answered on the control connection, so a client can tell
 * whether its copy is the same without moving the file.
 *
 * @module
 */

import { digestOf } from "../../common/digest.ts";
import { RefusalError } from "../../common/errors.ts";
import { describeError, quote } from "../../common/text.ts";
import { type CommandContext, okReply, type Reply } from "../command_context.ts";

/** Hashes the file `path` names. */
export async function hashFile(context: CommandContext, path: string): Promise<Reply> {
  const target = context.target(path);
  const { file, size } = await context.store.openForReading(target);
  using _file = file;
  try {
    return okReply(`sha256 ${await digestOf(file, Math.min(size, 1 << 20))}`);
  } catch (error) {
    throw new RefusalError(`Cannot read ${quote(target.shown)}: ${describeError(error)}`);
  }
}

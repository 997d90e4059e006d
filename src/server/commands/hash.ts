/**
 * `hash PATH` (the `hash` extension, PROTOCOL.md §14): the digest of a file in the
 * session's digest (`sha256`, or the one agreed: §17), worked out on the server and answered on the control connection, so a client can tell
 * whether its copy is the same without moving the file.
 *
 * @module
 */

import { digestOf } from "../../common/digest.ts";
import { ChangeWatch } from "../../common/file_snapshot.ts";
import { RefusalError } from "../../common/errors.ts";
import { describeError, quote } from "../../common/text.ts";
import { formatTrailer, sessionDigest } from "../../protocol/trailers.ts";
import { type CommandContext, okReply, type Reply } from "../command_context.ts";

/** Hashes the file `path` names. */
export async function hashFile(context: CommandContext, path: string): Promise<Reply> {
  const target = context.target(path);
  const { file, size, snapshot } = await context.store.openForReading(target);
  using _file = file;
  const name = sessionDigest(context.features);
  const cached = context.digests.lookup(snapshot, name);
  if (cached !== undefined) return okReply(formatTrailer(cached, name));
  let hex;
  try {
    hex = await digestOf(file, { name, chunk: Math.min(size, 1 << 20) });
  } catch (error) {
    throw new RefusalError(`Cannot read ${quote(target.shown)}: ${describeError(error)}`);
  }
  // Never vouch for a file that changed while it was read, nor remember it.
  await new ChangeWatch(file, snapshot, target.shown).check();
  context.digests.remember(snapshot, name, hex);
  return okReply(formatTrailer(hex, name));
}

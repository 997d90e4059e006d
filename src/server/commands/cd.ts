/**
 * `cd PATH` and `pwd` (the `path` extension, PROTOCOL.md §11): the session's current
 * folder, from which every path it sends is read. Answered with the folder as it now
 * is, `ok /photos`.
 *
 * @module
 */

import { quote } from "../../common/text.ts";
import { formatFolder } from "../../protocol/paths.ts";
import { type CommandContext, okReply, type Reply } from "../command_context.ts";
import { attempt } from "../file_store.ts";

/** Moves the session to the folder `path` names, which must exist inside the jail. */
export async function changeFolder(context: CommandContext, path: string): Promise<Reply> {
  const target = context.target(path);
  await attempt(`Cannot enter ${quote(target.shown)}`, () => context.store.folder(target));
  return okReply(formatFolder(target.segments), { cwd: target.segments });
}

/** Says which folder the session is in. */
export function printFolder(context: CommandContext): Promise<Reply> {
  return Promise.resolve(okReply(formatFolder(context.cwd)));
}

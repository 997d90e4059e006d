/**
 * `mkdir`, `rmdir`, `rm`, `rename` and `rename-over` (the `manage` extension,
 * PROTOCOL.md §12): changes to the folder, each answered `ok` or refused in one
 * sentence, without a data connection.
 *
 * @module
 */

import { type CommandContext, okReply, type Reply } from "../command_context.ts";
import { makeFolder, removeFile, removeFolder, rename } from "../file_changes.ts";

/** `mkdir PATH`: a new, empty folder. */
export async function makeFolderCommand(context: CommandContext, path: string): Promise<Reply> {
  await makeFolder(context.store, context.target(path));
  return okReply();
}

/** `rmdir PATH`: removes an empty folder. */
export async function removeFolderCommand(context: CommandContext, path: string): Promise<Reply> {
  await removeFolder(context.store, context.target(path));
  return okReply();
}

/** `rm PATH`: removes a file. */
export async function removeFileCommand(context: CommandContext, path: string): Promise<Reply> {
  await removeFile(context.store, context.target(path));
  return okReply();
}

/** `rename FROM LF TO`, or with `replace` (`rename-over`) over an existing file. */
export async function renameCommand(
  context: CommandContext,
  paths: { from: string; to: string },
  options: { replace?: boolean } = {},
): Promise<Reply> {
  const { from, to } = { from: context.target(paths.from), to: context.target(paths.to) };
  await rename(context.store, { from, to }, options);
  return okReply();
}

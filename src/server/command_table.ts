/**
 * What the server does for each verb: one entry per command, with the flags the
 * session checks before it runs the handler (in the manner of ftpserverlib's
 * `CommandDescription`). A handler refuses by throwing `RefusalError` before it
 * returns; what it returns says how the command is answered:
 *
 * - `data`: a transfer to run on a data connection (its port is the reply);
 * - `ok`: a positive answer on the control connection (extension verbs);
 * - `agreed`: the answer to `feat`, which switches the agreed features on.
 *
 * Adding a command: a verb in `src/protocol/commands.ts`, a handler in
 * `src/server/commands/`, and one entry here.
 *
 * @module
 */

import type { CommandOf, Verb } from "../protocol/commands.ts";
import type { CommandContext, Reply } from "./command_context.ts";
import { authenticate } from "./commands/auth.ts";
import { changeFolder, printFolder } from "./commands/cd.ts";
import { agreeFeatures } from "./commands/feat.ts";
import { fetchFile } from "./commands/fetch.ts";
import { getFile } from "./commands/get.ts";
import { hashFile } from "./commands/hash.ts";
import { listEntries, listTree } from "./commands/list.ts";
import { listFolder } from "./commands/ls.ts";
import {
  makeFolderCommand,
  removeFileCommand,
  removeFolderCommand,
  renameCommand,
} from "./commands/manage.ts";
import { putFile } from "./commands/put.ts";
import { reputFile } from "./commands/reput.ts";

/** One verb's entry. */
export interface CommandEntry<V extends Verb> {
  /** Changes the shared folder: refused on a read-only server or token. */
  writes: boolean;
  /** Allowed before the session has authenticated (on a server that needs a token). */
  open: boolean;
  handle(context: CommandContext, command: CommandOf<V>): Promise<Reply>;
}

/** The verbs a handler answers; `quit` ends the session in the session itself. */
export type HandledVerb = Exclude<Verb, "quit">;

/** Every command the server carries out. */
export const COMMAND_TABLE: { readonly [V in HandledVerb]: CommandEntry<V> } = {
  ls: { writes: false, open: false, handle: (context, { path }) => listFolder(context, path) },
  get: { writes: false, open: false, handle: (context, { name }) => getFile(context, name) },
  put: { writes: true, open: false, handle: (context, { name }) => putFile(context, name) },
  feat: {
    writes: false,
    open: true,
    handle: (context, { offer }) => agreeFeatures(context, offer),
  },
  auth: { writes: false, open: true, handle: (context, { token }) => authenticate(context, token) },
  cd: { writes: false, open: false, handle: (context, { path }) => changeFolder(context, path) },
  pwd: { writes: false, open: false, handle: printFolder },
  list: { writes: false, open: false, handle: (context, { path }) => listEntries(context, path) },
  tree: { writes: false, open: false, handle: (context, { path }) => listTree(context, path) },
  hash: { writes: false, open: false, handle: (context, { path }) => hashFile(context, path) },
  replace: {
    writes: true,
    open: false,
    handle: (context, { name }) => putFile(context, name, { replace: true }),
  },
  mkdir: {
    writes: true,
    open: false,
    handle: (context, { path }) => makeFolderCommand(context, path),
  },
  rmdir: {
    writes: true,
    open: false,
    handle: (context, { path }) => removeFolderCommand(context, path),
  },
  rm: {
    writes: true,
    open: false,
    handle: (context, { path }) => removeFileCommand(context, path),
  },
  rename: { writes: true, open: false, handle: renameCommand },
  reget: {
    writes: false,
    open: false,
    handle: (context, { name, ...resume }) => getFile(context, name, resume),
  },
  reput: { writes: true, open: false, handle: reputFile },
  "rename-over": {
    writes: true,
    open: false,
    handle: (context, paths) => renameCommand(context, paths, { replace: true }),
  },
  fetch: { writes: false, open: false, handle: (context, { name }) => fetchFile(context, name) },
};

/** The entry for `verb`. */
export function commandEntry<V extends HandledVerb>(verb: V): CommandEntry<V> {
  return COMMAND_TABLE[verb];
}

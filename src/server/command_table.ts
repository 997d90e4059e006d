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
import { agreeFeatures } from "./commands/feat.ts";
import { getFile } from "./commands/get.ts";
import { listFolder } from "./commands/ls.ts";
import { putFile } from "./commands/put.ts";

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
  ls: { writes: false, open: false, handle: listFolder },
  get: { writes: false, open: false, handle: (context, { name }) => getFile(context, name) },
  put: { writes: true, open: false, handle: (context, { name }) => putFile(context, name) },
  feat: {
    writes: false,
    open: true,
    handle: (context, { offer }) => agreeFeatures(context, offer),
  },
  auth: { writes: false, open: true, handle: (context, { token }) => authenticate(context, token) },
};

/** The entry for `verb`. */
export function commandEntry<V extends HandledVerb>(verb: V): CommandEntry<V> {
  return COMMAND_TABLE[verb];
}

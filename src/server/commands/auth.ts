/**
 * `auth TOKEN`: a secure session shows its token before anything else (PROTOCOL.md
 * §10.2). The answer says what the token grants; a wrong one is refused after a
 * back-off that grows with each failure from the same address.
 *
 * @module
 */

import { RefusalError } from "../../common/errors.ts";
import type { CommandContext, Reply } from "../command_context.ts";

/** Checks `token` and grants its access. */
export async function authenticate(context: CommandContext, token: string): Promise<Reply> {
  const access = await context.authenticate(token);
  if (!access) throw new RefusalError("Wrong token: check it and try again");
  return { kind: "ok", text: access, grant: access, outcome: { result: `ok: ${access}` } };
}

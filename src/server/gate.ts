/**
 * What a session may run now: the checks the session makes from a command's table
 * entry before its handler runs, as one pure function.
 *
 * @module
 */

import { COMMANDS, type Verb } from "../protocol/commands.ts";
import type { FeatureSet } from "../protocol/features.ts";
import type { Access } from "./access.ts";
import type { CommandEntry } from "./command_table.ts";

/** Where a session stands. */
export interface SessionStanding {
  /** Whether this server needs a token (secure mode). */
  secure: boolean;
  /** What the session may do; `undefined` until it has authenticated. */
  access: Access | undefined;
  /** Whether the whole server is read-only. */
  readOnlyServer: boolean;
  features: FeatureSet;
}

/** Why the command may not run now, or `undefined` if it may. */
export function gate<V extends Verb>(
  verb: V,
  entry: Pick<CommandEntry<V>, "writes" | "open">,
  standing: SessionStanding,
): string | undefined {
  if (standing.secure && standing.access === undefined && !entry.open) {
    return "This server needs a token: authenticate first";
  }
  // An upload is a port-kind write; everything else that writes changes the folder.
  const refused = COMMANDS[verb].reply === "port" ? "uploads are refused" : "changes are refused";
  if (entry.writes && standing.readOnlyServer) return `This server is read-only: ${refused}`;
  if (entry.writes && standing.access === "read-only") {
    return `This token is for reading only: ${refused}`;
  }
  if (standing.secure && COMMANDS[verb].reply === "port" && !standing.features.has("tickets")) {
    return "This server binds data connections with tickets: agree to them with feat";
  }
  if (verb === "auth" && standing.access !== undefined && standing.secure) {
    return "This session has authenticated already";
  }
  return undefined;
}

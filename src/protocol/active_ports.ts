/**
 * Where an active client's data port is in what it sends (PROTOCOL.md §15.3): at the
 * end of the command (`active-inline`), or in a frame of its own right after every
 * command that opens a data connection (`active`), which the server machine reads
 * before it yields the command. Pure functions over a command's text.
 *
 * @module
 */

import { quote } from "../common/text.ts";
import { COMMANDS, type Verb } from "./commands.ts";
import { type Dialect, parseDataPort, splitInlinePort } from "./dialects.ts";

/** A command frame read, before it becomes an event: its text, and its data port. */
export interface Held {
  /** `undefined` if the frame is not UTF-8. */
  text: string | undefined;
  /** The client's data port (active dialects), once known. */
  port?: number;
  /** Why the port is missing or wrong. */
  portProblem?: string;
  /** Whether the port comes as the next frame, not read yet. */
  portFrameDue: boolean;
}

/**
 * A command's text as `dialect` sends it: the port taken off its end, or noted as
 * due in the next frame. Only the verbs that open a data connection (`ls`, `get`,
 * `put`, and the extensions' `list`, `tree` and `replace`) carry one, whatever their
 * argument and whether or not their extension was agreed, so a command the server
 * refuses still leaves the session in step.
 */
export function holdCommand(dialect: Dialect, text: string): Held {
  const { port } = dialect;
  const verb = portVerb(text);
  if (port.by === "server" || verb === undefined) return { text, portFrameDue: false };
  if (port.form === "frame") return { text, portFrameDue: true };
  const split = splitInlinePort(text);
  if (split) return { text: split.text, port: split.port, portFrameDue: false };
  const usage = LISTING_VERBS.has(verb) ? `${verb} PORT` : `${verb} NAME PORT`;
  return {
    text,
    portFrameDue: false,
    portProblem: `Command ${verb} needs the data port at its end: ${usage}`,
  };
}

/** The listing verbs, whose folder is optional: `ls PORT` alone is whole. */
const LISTING_VERBS: ReadonlySet<Verb> = new Set(["ls", "list", "tree"]);

/** The verb of a command that opens a data connection (`ls`, `get`, `put`...), if it is one. */
function portVerb(text: string): Verb | undefined {
  const space = text.indexOf(" ");
  const word = (space === -1 ? text : text.slice(0, space)).toLowerCase();
  return Object.hasOwn(COMMANDS, word) && COMMANDS[word as Verb].reply === "port"
    ? word as Verb
    : undefined;
}

/** The command with the port its own frame carried, or why that frame is not a port. */
export function withPortFrame(held: Held, text: string): Held {
  const port = parseDataPort(text);
  return port === undefined
    ? {
      ...held,
      portFrameDue: false,
      portProblem: `Expected the data port (1 to 65535) as a frame after the command, got ${
        quote(text, 40)
      }`,
    }
    : { ...held, port, portFrameDue: false };
}

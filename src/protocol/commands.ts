/**
 * The commands a client sends on the control connection, as data, and the table that
 * says for each verb how its argument is read and how the server answers it.
 *
 * Adding a command is one entry in {@linkcode CommandArguments} and one in
 * {@linkcode COMMANDS}; an extension verb names the {@linkcode Feature} a session
 * must have agreed (with `feat`) before the server accepts it.
 *
 * @module
 */

import { quote } from "../common/text.ts";
import { type FeatureSet, formatOffer, type Offer, parseOffer } from "./features.ts";
import { nameProblem, pathProblem } from "./names.ts";
import {
  formatRegetArguments,
  formatReputArguments,
  parseRegetArguments,
  parseReputArguments,
  type RegetArguments,
  type ReputArguments,
} from "./resume.ts";

/** A command frame over this many bytes is a protocol error. */
export const MAX_COMMAND_BYTES = 4096;

/** Each verb's arguments. */
export interface CommandArguments {
  /** `path` only where the session agreed `path`: the folder to list. */
  ls: { path?: string };
  /** `name` is a path where the session agreed `path`, else one name; so for every verb below. */
  get: { name: string };
  put: { name: string };
  quit: Record<never, never>;
  feat: { offer: Offer };
  auth: { token: string };
  cd: { path: string };
  pwd: Record<never, never>;
  list: { path?: string };
  tree: { path?: string };
  hash: { path: string };
  replace: { name: string };
  mkdir: { path: string };
  rmdir: { path: string };
  rm: { path: string };
  rename: { from: string; to: string };
  "rename-over": { from: string; to: string };
  /** A `get` that may continue from bytes the client holds (PROTOCOL.md §19). */
  reget: RegetArguments;
  /** A `put` the server keeps if it is cut, to continue under the client's key (§19). */
  reput: ReputArguments;
  /** A small file answered on the control connection (the `inline` extension, §18). */
  fetch: { name: string };
}

/** A command verb. */
export type Verb = keyof CommandArguments;

/** One verb's command: the verb plus its arguments (`{ verb: "get", name: "a.txt" }`). */
export type CommandOf<V extends Verb> = { verb: V } & CommandArguments[V];

/** Any command. */
export type Command = { [V in Verb]: CommandOf<V> }[Verb];

/**
 * How the server answers a verb:
 * - `port`: a data port (the command's bytes then cross a data connection) or a refusal;
 * - `ok`: an `ok` frame or a refusal, on the control connection alone (extensions only);
 * - `inline`: an `ok` frame, with a file's bytes in a frame behind it, or a refusal (§18);
 * - `none`: nothing (the server closes).
 */
export type ReplyKind = "port" | "ok" | "inline" | "none";

/** What one verb is on the wire. */
export interface CommandSpec<V extends Verb> {
  reply: ReplyKind;
  /** The feature a session must have agreed for the verb; base verbs need none. */
  feature?: string;
  /** Reads the text after the verb (`undefined` if there was no space); a string is why not. */
  parse(argument: string | undefined, agreed: FeatureSet): CommandArguments[V] | string;
  /** The text after the verb, if any. */
  format(args: CommandArguments[V]): string | undefined;
}

const NO_ARGUMENTS: Record<never, never> = {};

function noArgument(verb: string) {
  return (argument: string | undefined) =>
    argument !== undefined && argument.trim() !== ""
      ? `Command ${verb} takes no argument`
      : NO_ARGUMENTS;
}

/**
 * Why `text` cannot be what a command names: a path in a session that agreed `path`,
 * else a single name, as the base protocol has it.
 */
export function targetProblem(text: string, agreed: FeatureSet): string | undefined {
  return agreed.has("path") ? pathProblem(text) : nameProblem(text);
}

function fileName(verb: string) {
  return (argument: string | undefined, agreed: FeatureSet) => {
    if (argument === undefined || argument === "") return `Command ${verb} needs a file name`;
    return targetProblem(argument, agreed) ?? { name: argument };
  };
}

function onePath(verb: string) {
  return (argument: string | undefined, agreed: FeatureSet) => {
    if (argument === undefined || argument === "") return `Command ${verb} needs a path`;
    return targetProblem(argument, agreed) ?? { path: argument };
  };
}

/** A folder to list, if any: nothing (or only spaces) is the current folder. */
function optionalPath(verb: string, needs: string) {
  return (argument: string | undefined, agreed: FeatureSet) => {
    if (argument === undefined || argument.trim() === "") return NO_ARGUMENTS;
    if (!agreed.has(needs)) return `Command ${verb} takes no argument`;
    return targetProblem(argument, agreed) ?? { path: argument };
  };
}

/** `FROM LF TO`: a line feed cannot occur in a name, so it parts the two unambiguously. */
function twoPaths(verb: string) {
  return (argument: string | undefined, agreed: FeatureSet) => {
    const parts = argument?.split("\n") ?? [];
    if (parts.length !== 2 || parts.includes("")) {
      return `Command ${verb} needs two paths, separated by a line feed`;
    }
    const [from, to] = parts;
    return targetProblem(from, agreed) ?? targetProblem(to, agreed) ?? { from, to };
  };
}

/** Arguments read by `parse` whose `name` must then be a name (or, with `path`, a path). */
function namedBy<A extends { name: string }>(parse: (argument: string | undefined) => A | string) {
  return (argument: string | undefined, agreed: FeatureSet): A | string => {
    const args = parse(argument);
    if (typeof args === "string") return args;
    return targetProblem(args.name, agreed) ?? args;
  };
}

const optionalPathFormat = ({ path }: { path?: string }) => path;
const pathFormat = ({ path }: { path: string }) => path;
const twoPathsFormat = ({ from, to }: { from: string; to: string }) => `${from}\n${to}`;

/** Every verb, base and extension. */
export const COMMANDS: { readonly [V in Verb]: CommandSpec<V> } = {
  ls: { reply: "port", parse: optionalPath("ls", "path"), format: optionalPathFormat },
  get: { reply: "port", parse: fileName("get"), format: ({ name }) => name },
  put: { reply: "port", parse: fileName("put"), format: ({ name }) => name },
  quit: { reply: "none", parse: noArgument("quit"), format: () => undefined },
  feat: {
    reply: "ok",
    parse: (argument) => {
      const offer = parseOffer(argument ?? "");
      return typeof offer === "string" ? offer : { offer };
    },
    format: ({ offer }) => formatOffer(offer) || undefined,
  },
  auth: {
    reply: "ok",
    feature: "auth",
    parse: (argument) =>
      argument === undefined || !TOKEN.test(argument)
        ? "Command auth needs a token (letters, digits, - and _)"
        : { token: argument },
    format: ({ token }) => token,
  },
  cd: { reply: "ok", feature: "path", parse: onePath("cd"), format: pathFormat },
  pwd: { reply: "ok", feature: "path", parse: noArgument("pwd"), format: () => undefined },
  list: {
    reply: "port",
    feature: "list-long",
    parse: optionalPath("list", "list-long"),
    format: optionalPathFormat,
  },
  tree: {
    reply: "port",
    feature: "list-long",
    parse: optionalPath("tree", "list-long"),
    format: optionalPathFormat,
  },
  hash: { reply: "ok", feature: "hash", parse: onePath("hash"), format: pathFormat },
  replace: {
    reply: "port",
    feature: "manage",
    parse: fileName("replace"),
    format: ({ name }) => name,
  },
  mkdir: { reply: "ok", feature: "manage", parse: onePath("mkdir"), format: pathFormat },
  rmdir: { reply: "ok", feature: "manage", parse: onePath("rmdir"), format: pathFormat },
  rm: { reply: "ok", feature: "manage", parse: onePath("rm"), format: pathFormat },
  rename: { reply: "ok", feature: "manage", parse: twoPaths("rename"), format: twoPathsFormat },
  "rename-over": {
    reply: "ok",
    feature: "manage",
    parse: twoPaths("rename-over"),
    format: twoPathsFormat,
  },
  reget: {
    reply: "port",
    feature: "resume",
    parse: namedBy(parseRegetArguments),
    format: formatRegetArguments,
  },
  reput: {
    reply: "port",
    feature: "resume",
    parse: namedBy(parseReputArguments),
    format: formatReputArguments,
  },
  fetch: {
    reply: "inline",
    feature: "inline",
    parse: fileName("fetch"),
    format: ({ name }) => name,
  },
};

/** What a token grants a session: the text of the `ok` answer to `auth`. */
export type Access = "read-write" | "read-only";

/** What a token may look like: printable, no spaces, short enough to type or paste. */
const TOKEN = /^[A-Za-z0-9_-]{1,200}$/;

const BASE_VERBS = "expected ls, get, put or quit";

/** What a server makes of a command frame: a command, or the reason it is refused. */
export type ParsedCommand = Command | { verb: "invalid"; reason: string };

/**
 * Parses the text of a command frame. The verb is case-insensitive; the argument is
 * everything after the first space, taken literally (a name may contain spaces).
 */
export function parseCommand(text: string, agreed: FeatureSet): ParsedCommand {
  const space = text.indexOf(" ");
  const word = (space === -1 ? text : text.slice(0, space)).toLowerCase();
  const argument = space === -1 ? undefined : text.slice(space + 1);
  if (!isVerb(word)) {
    return { verb: "invalid", reason: `Unknown command ${quote(word, 40)}: ${BASE_VERBS}` };
  }
  return parseArguments(word, argument, agreed);
}

function parseArguments<V extends Verb>(
  verb: V,
  argument: string | undefined,
  agreed: FeatureSet,
): ParsedCommand {
  const spec: CommandSpec<V> = COMMANDS[verb];
  if (spec.feature !== undefined && !agreed.has(spec.feature)) {
    return {
      verb: "invalid",
      reason: `Unknown command ${quote(verb)}: ${BASE_VERBS} ` +
        `(${verb} needs the ${quote(spec.feature)} extension, agreed with feat)`,
    };
  }
  const args = spec.parse(argument, agreed);
  if (typeof args === "string") return { verb: "invalid", reason: args };
  // `args` came from COMMANDS[verb], so it is that verb's; TypeScript cannot follow a
  // generic verb into the union, which is the only reason for this cast.
  return { verb, ...args } as CommandOf<V> as Command;
}

function isVerb(word: string): word is Verb {
  return Object.hasOwn(COMMANDS, word);
}

/** Formats a command as the text of its frame. */
export function formatCommand<V extends Verb>(command: CommandOf<V>): string {
  const spec: CommandSpec<V> = COMMANDS[command.verb];
  const argument = spec.format(command);
  return argument === undefined ? command.verb : `${command.verb} ${argument}`;
}

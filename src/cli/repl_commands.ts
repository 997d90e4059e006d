/**
 * The `ftp>` commands: one table entry each, with usage, aliases, how many
 * arguments it takes, what each argument is (for Tab), whether it changes the
 * server's files or folder (so the names Tab knows are fetched again), and what it
 * does with the client. A new command is a new entry; the prompt, completion and
 * `help` pick it up from here.
 *
 * @module
 */

import type { ArgKind } from "./completion.ts";
import {
  cdCommand,
  changeCommand,
  type FolderIo,
  lcdCommand,
  LIST_FLAGS,
  llsCommand,
  lpwdCommand,
  lsCommand,
  pwdCommand,
  RENAME_FLAGS,
  renameCommand,
} from "./folder_commands.ts";
import type { FlagSpec } from "./repl_flags.ts";
import {
  getCommand,
  MANY_FLAGS,
  mgetCommand,
  mputCommand,
  putCommand,
  TRANSFER_FLAGS,
  type TransferIo,
} from "./transfer_commands.ts";

/**
 * What a command runs against: the client, the streams, the names Tab knows, the
 * cancel signal (Ctrl-C at the prompt) and, where free, the bytes of stdin and stdout.
 */
export interface ReplContext extends TransferIo, FolderIo {}

/** One `ftp>` command. */
export interface ReplCommand {
  usage: string;
  summary: string;
  aliases: string[];
  minArgs: number;
  maxArgs: number;
  /**
   * What each argument names, for Tab (options do not count); for a command that
   * takes any number of arguments, the last kind goes on for the rest.
   */
  args?: readonly (ArgKind | undefined)[];
  /** The options it takes, as `parseFlags` reads them (and Tab offers them). */
  flags?: FlagSpec<string>;
  /** Changes the server's files or folder: the names Tab knows are stale afterwards. */
  changes?: boolean;
  /**
   * Its first argument is a name (remote or local): if it is not found and more words
   * followed, the user probably meant one name with spaces, and is told how to quote it.
   */
  nameFirst?: boolean;
  /** Ends the session once it has run. */
  ends?: boolean;
  run(args: string[], context: ReplContext): Promise<void>;
}

/** Every command, in the order `help` lists them. */
export const REPL_COMMANDS: Record<string, ReplCommand> = {
  ls: {
    usage: "ls [-l] [--json] [PATH]",
    summary: "list a server folder (-l: sizes, times; --json)",
    aliases: ["dir"],
    minArgs: 0,
    maxArgs: 4,
    args: ["remote"],
    flags: LIST_FLAGS,
    run: lsCommand,
  },
  get: {
    usage: "get [-r] [-f] NAME [LOCAL]",
    summary: "download NAME or what a pattern matches (-r, -f)",
    aliases: ["download"],
    minArgs: 1,
    maxArgs: 5,
    args: ["remote", "local"],
    flags: TRANSFER_FLAGS,
    nameFirst: true,
    run: getCommand,
  },
  put: {
    usage: "put [-r] [-f] PATH [NAME]",
    summary: "upload PATH or what a pattern matches (-r, -f)",
    aliases: ["upload"],
    minArgs: 1,
    maxArgs: 5,
    args: ["local", "remote"],
    flags: TRANSFER_FLAGS,
    changes: true,
    nameFirst: true,
    run: putCommand,
  },
  mget: {
    usage: "mget [-f] NAME...",
    summary: "download several files or patterns to the local folder",
    aliases: [],
    minArgs: 1,
    maxArgs: Infinity,
    args: ["remote"],
    flags: MANY_FLAGS,
    run: mgetCommand,
  },
  mput: {
    usage: "mput [-f] PATH...",
    summary: "upload several local files or patterns to the server folder",
    aliases: [],
    minArgs: 1,
    maxArgs: Infinity,
    args: ["local"],
    flags: MANY_FLAGS,
    changes: true,
    run: mputCommand,
  },
  cd: {
    usage: "cd [PATH]",
    summary: "change the server folder (.. up; / or none: the top)",
    aliases: [],
    minArgs: 0,
    maxArgs: 1,
    args: ["remote"],
    changes: true,
    nameFirst: true,
    run: cdCommand,
  },
  pwd: {
    usage: "pwd",
    summary: "show the server folder",
    aliases: [],
    minArgs: 0,
    maxArgs: 0,
    run: pwdCommand,
  },
  mkdir: {
    usage: "mkdir PATH...",
    summary: "make folders on the server",
    aliases: [],
    minArgs: 1,
    maxArgs: Infinity,
    args: ["remote"],
    changes: true,
    run: changeCommand("mkdir"),
  },
  rmdir: {
    usage: "rmdir PATH...",
    summary: "remove empty folders on the server",
    aliases: [],
    minArgs: 1,
    maxArgs: Infinity,
    args: ["remote"],
    changes: true,
    run: changeCommand("rmdir"),
  },
  rm: {
    usage: "rm PATH...",
    summary: "remove files on the server",
    aliases: ["delete"],
    minArgs: 1,
    maxArgs: Infinity,
    args: ["remote"],
    changes: true,
    run: changeCommand("rm"),
  },
  rename: {
    usage: "rename [-f] FROM TO",
    summary: "rename or move (TO/ moves into a folder; -f replace)",
    aliases: ["mv"],
    minArgs: 2,
    maxArgs: 4,
    args: ["remote", "remote"],
    flags: RENAME_FLAGS,
    changes: true,
    nameFirst: true,
    run: renameCommand,
  },
  lcd: {
    usage: "lcd [PATH]",
    summary: "change the local folder",
    aliases: [],
    minArgs: 0,
    maxArgs: 1,
    args: ["local"],
    nameFirst: true,
    run: lcdCommand,
  },
  lpwd: {
    usage: "lpwd",
    summary: "show the local folder",
    aliases: [],
    minArgs: 0,
    maxArgs: 0,
    run: lpwdCommand,
  },
  lls: {
    usage: "lls [-l] [--json] [PATH]",
    summary: "list a local folder",
    aliases: [],
    minArgs: 0,
    maxArgs: 4,
    args: ["local"],
    flags: LIST_FLAGS,
    run: llsCommand,
  },
  features: {
    usage: "features",
    summary: "show the protocol extensions the server agreed to",
    aliases: [],
    minArgs: 0,
    maxArgs: 0,
    async run(_args, { client, stdout }) {
      const agreed = await client.features();
      stdout.write(
        agreed.size > 0
          ? `${agreed}\n`
          : "none: the server speaks the base protocol, or shares no extension with this client\n",
      );
    },
  },
  help: {
    usage: "help",
    summary: "show this list",
    aliases: ["?"],
    minArgs: 0,
    maxArgs: 0,
    run(_args, { stdout }) {
      stdout.write(replHelp());
      return Promise.resolve();
    },
  },
  quit: {
    usage: "quit",
    summary: "close the connection and leave (or Ctrl-D)",
    aliases: ["exit", "bye", "q"],
    minArgs: 0,
    maxArgs: 0,
    ends: true,
    async run(_args, { client }) {
      await client.quit();
    },
  },
};

const BY_NAME = new Map<string, ReplCommand>(
  Object.entries(REPL_COMMANDS).flatMap(([name, command]) =>
    [name, ...command.aliases].map((alias) => [alias, command] as const)
  ),
);

/** The command a word names (case-insensitive), if any. */
export function replCommand(word: string): ReplCommand | undefined {
  return BY_NAME.get(word.toLowerCase());
}

/** Every word that names a command, for Tab. */
export function commandWords(): string[] {
  return [...BY_NAME.keys()];
}

/** What argument `index` of the command `word` names (options not counted), for Tab. */
export function argKind(word: string, index: number): ArgKind | undefined {
  const command = replCommand(word);
  const kinds = command?.args ?? [];
  return kinds[index] ?? (command?.maxArgs === Infinity ? kinds.at(-1) : undefined);
}

/** Every spelling of every option the command `word` takes, for Tab. */
export function optionWords(word: string): string[] {
  return Object.values(replCommand(word)?.flags ?? {}).flat();
}

/** The `help` text: one line per command. */
export function replHelp(): string {
  const lines = Object.values(REPL_COMMANDS).map((command) => {
    const aliases = command.aliases.length ? ` (also ${command.aliases.join(", ")})` : "";
    return `  ${command.usage.padEnd(26)} ${command.summary}${aliases}\n`;
  });
  return `Commands:\n${lines.join("")}  ${"!COMMAND".padEnd(26)} run COMMAND here ` +
    `(at a terminal's prompt only)\n` +
    `Quote names with spaces, or escape them: get "my file.txt" or get my\\ file.txt\n` +
    `In local paths ~ is your home folder; - is stdin for put and stdout for get.\n` +
    `A # starts a comment. -r: a folder and all it holds; -f: replace what is there\n` +
    `(atomically); -- ends the options: rm -- -odd-name\n`;
}

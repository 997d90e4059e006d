/**
 * The `ftp>` commands: one table entry each, with usage, aliases, how many
 * arguments it takes, and what it does with a {@linkcode Client}.
 *
 * @module
 */

import type { Client } from "../client/client.ts";
import {
  cdCommand,
  changeCommand,
  lcdCommand,
  llsCommand,
  lpwdCommand,
  lsCommand,
  pwdCommand,
  renameCommand,
} from "./folder_commands.ts";
import type { Output, ProgressTarget } from "./io.ts";
import {
  getCommand,
  mgetCommand,
  mputCommand,
  putCommand,
  regetCommand,
  reputCommand,
} from "./transfer_commands.ts";

/** What a command runs against. */
export interface ReplContext {
  client: Client;
  /** Listings and the prompt. */
  stdout: Output;
  /** Progress, summaries and errors. */
  stderr: ProgressTarget;
}

/** One `ftp>` command. */
export interface ReplCommand {
  usage: string;
  summary: string;
  aliases: string[];
  minArgs: number;
  maxArgs: number;
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
    run: lsCommand,
  },
  get: {
    usage: "get [-r] [-f] NAME [LOCAL]",
    summary: "download NAME or what a pattern matches (-r, -f)",
    aliases: ["download"],
    minArgs: 1,
    maxArgs: 5,
    run: getCommand,
  },
  put: {
    usage: "put [-r] [-f] PATH [NAME]",
    summary: "upload PATH or what a pattern matches (-r, -f)",
    aliases: ["upload"],
    minArgs: 1,
    maxArgs: 5,
    run: putCommand,
  },
  reget: {
    usage: "reget [-r] [-f] NAME [LOCAL]",
    summary: "get, continuing a cut download (get does too, where it can)",
    aliases: [],
    minArgs: 1,
    maxArgs: 5,
    run: regetCommand,
  },
  reput: {
    usage: "reput [-r] [-f] PATH [NAME]",
    summary: "put, continuing a cut upload (put does too, where it can)",
    aliases: [],
    minArgs: 1,
    maxArgs: 5,
    run: reputCommand,
  },
  mget: {
    usage: "mget [-f] NAME...",
    summary: "download several files or patterns to the local folder",
    aliases: [],
    minArgs: 1,
    maxArgs: Infinity,
    run: mgetCommand,
  },
  mput: {
    usage: "mput [-f] PATH...",
    summary: "upload several local files or patterns to the server folder",
    aliases: [],
    minArgs: 1,
    maxArgs: Infinity,
    run: mputCommand,
  },
  cd: {
    usage: "cd [PATH]",
    summary: "change the server folder (.. up; / or none: the top)",
    aliases: [],
    minArgs: 0,
    maxArgs: 1,
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
    run: changeCommand("mkdir"),
  },
  rmdir: {
    usage: "rmdir PATH...",
    summary: "remove empty folders on the server",
    aliases: [],
    minArgs: 1,
    maxArgs: Infinity,
    run: changeCommand("rmdir"),
  },
  rm: {
    usage: "rm PATH...",
    summary: "remove files on the server",
    aliases: ["delete"],
    minArgs: 1,
    maxArgs: Infinity,
    run: changeCommand("rm"),
  },
  rename: {
    usage: "rename [-f] FROM TO",
    summary: "rename or move (TO/ moves into a folder; -f replace)",
    aliases: ["mv"],
    minArgs: 2,
    maxArgs: 4,
    run: renameCommand,
  },
  lcd: {
    usage: "lcd [PATH]",
    summary: "change the local folder",
    aliases: [],
    minArgs: 0,
    maxArgs: 1,
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
    summary: "close the connection and leave",
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

/** The `help` text: one line per command. */
export function replHelp(): string {
  const lines = Object.values(REPL_COMMANDS).map((command) => {
    const aliases = command.aliases.length ? ` (also ${command.aliases.join(", ")})` : "";
    return `  ${command.usage.padEnd(26)} ${command.summary}${aliases}\n`;
  });
  return `Commands:\n${lines.join("")}` +
    `Quote names that contain spaces: get "my file.txt". -r: a folder and all it holds;\n` +
    `-f: replace what is there (atomically); -- ends the options: rm -- -odd-name\n`;
}

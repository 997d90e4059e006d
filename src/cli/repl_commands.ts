/**
 * The `ftp>` commands: one table entry each, with usage, aliases, how many
 * arguments it takes, and what it does with a {@linkcode Client}.
 *
 * @module
 */

import { checkName, type Client } from "../client/client.ts";
import { chooseDestination } from "../client/local_files.ts";
import { printable } from "../common/text.ts";
import type { Output, ProgressTarget } from "./io.ts";
import { ProgressBar } from "./progress.ts";

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
    usage: "ls",
    summary: "list the server's files (folders end in /)",
    aliases: ["dir"],
    minArgs: 0,
    maxArgs: 0,
    async run(_args, { client, stdout }) {
      // Written in pieces: a listing of millions of names never becomes one string.
      let text = "";
      for (const entry of await client.list()) {
        text += printable(entry.name) + (entry.isDirectory ? "/\n" : "\n");
        if (text.length >= 1 << 16) {
          stdout.write(text);
          text = "";
        }
      }
      if (text !== "") stdout.write(text);
    },
  },
  get: {
    usage: "get NAME [LOCAL]",
    summary: "download NAME (to LOCAL, a file or folder; default ./NAME)",
    aliases: ["download"],
    minArgs: 1,
    maxArgs: 2,
    async run([name, local], { client, stderr }) {
      checkName(name); // Before the destination: a bad name is the first thing to hear.
      const path = await chooseDestination(name, local);
      const bar = new ProgressBar(stderr, "get", name);
      try {
        const result = await client.get(name, path, { onProgress: (b, t) => bar.update(b, t) });
        bar.finish({ verb: "get", ...result });
      } finally {
        bar.finish();
      }
    },
  },
  put: {
    usage: "put PATH [NAME]",
    summary: "upload the local file PATH (as NAME; default its base name)",
    aliases: ["upload"],
    minArgs: 1,
    maxArgs: 2,
    async run([path, name], { client, stderr }) {
      const bar = new ProgressBar(stderr, "put", name ?? path);
      try {
        const result = await client.put(path, name, { onProgress: (b, t) => bar.update(b, t) });
        bar.finish({ verb: "put", ...result });
      } finally {
        bar.finish();
      }
    },
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
    return `  ${command.usage.padEnd(18)} ${command.summary}${aliases}\n`;
  });
  return `Commands:\n${lines.join("")}Quote names that contain spaces: get "my file.txt"\n`;
}

/**
 * The `ftp>` commands: one table entry each, with usage, aliases, how many
 * arguments it takes, what each argument is (for Tab), whether it changes the
 * server's folder (so the names Tab knows are fetched again), and what it does with
 * a {@linkcode Client}. A new command is a new entry; the prompt, completion and
 * `help` pick it up from here.
 *
 * @module
 */

import { checkName, type Client } from "../client/client.ts";
import { chooseDestination } from "../client/local_files.ts";
import { CancelledError, UsageError } from "../common/errors.ts";
import { printable } from "../common/text.ts";
import type { ByteSink } from "../transport/payload_pump.ts";
import type { ArgKind } from "./completion.ts";
import type { Output, ProgressTarget } from "./io.ts";
import { expandHome, STANDARD_STREAM } from "./local_paths.ts";
import { ProgressBar } from "./progress.ts";
import type { RemoteNames } from "./remote_names.ts";

/** What a command runs against. */
export interface ReplContext {
  client: Client;
  /** Listings and the prompt. */
  stdout: Output;
  /** Progress, summaries and errors. */
  stderr: ProgressTarget;
  /** The server's names, as Tab knows them. */
  names?: RemoteNames;
  /** Aborts when the user cancels this command (Ctrl-C at the prompt). */
  signal?: AbortSignal;
  /** Where `get NAME -` writes; absent where standard output takes no bytes. */
  stdoutBytes?: ByteSink;
  /** What `put - NAME` reads; absent where standard input carries the commands. */
  stdin?: ReadableStream<Uint8Array>;
}

/** One `ftp>` command. */
export interface ReplCommand {
  usage: string;
  summary: string;
  aliases: string[];
  minArgs: number;
  maxArgs: number;
  /** What each argument names, for Tab. */
  args?: readonly (ArgKind | undefined)[];
  /** Changes the server's folder: the names Tab knows are stale afterwards. */
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
    usage: "ls",
    summary: "list the server's files (folders end in /)",
    aliases: ["dir"],
    minArgs: 0,
    maxArgs: 0,
    async run(_args, { client, stdout, names, signal }) {
      const entries = await client.list({ signal });
      names?.seen(entries);
      stdout.write(
        entries.map((e) => printable(e.name) + (e.isDirectory ? "/" : "") + "\n").join(""),
      );
    },
  },
  get: {
    usage: "get NAME [LOCAL]",
    summary: "download NAME to ./NAME, or to LOCAL (a file, a folder, - for stdout)",
    aliases: ["download"],
    minArgs: 1,
    maxArgs: 2,
    args: ["remote", "local"],
    nameFirst: true,
    async run([name, local], context) {
      const { client, stderr, signal, stdoutBytes } = context;
      checkName(name); // Before the destination: a bad name is the first thing to hear.
      const bar = new ProgressBar(stderr, "get", name);
      const options = { signal, onProgress: (b: number, t: number) => bar.update(b, t) };
      try {
        if (local === STANDARD_STREAM) {
          if (!stdoutBytes) throw new UsageError("Standard output cannot take a download here");
          bar.finish({ verb: "get", ...await client.getInto(name, stdoutBytes, options) });
          return;
        }
        const path = await chooseDestination(name, local && expandHome(local));
        bar.finish({ verb: "get", ...await client.get(name, path, options) });
      } catch (error) {
        throw reportCancel(error, bar);
      } finally {
        bar.finish();
      }
    },
  },
  put: {
    usage: "put PATH [NAME]",
    summary: "upload the local file PATH (- for stdin) as NAME (default: its name)",
    aliases: ["upload"],
    minArgs: 1,
    maxArgs: 2,
    args: ["local", "remote"],
    changes: true,
    nameFirst: true,
    async run([path, name], context) {
      const { client, stderr, signal } = context;
      if (path === STANDARD_STREAM) return await putStdin(name, context);
      const bar = new ProgressBar(stderr, "put", name ?? path);
      try {
        const result = await client.put(expandHome(path), name, {
          signal,
          onProgress: (b, t) => bar.update(b, t),
        });
        bar.finish({ verb: "put", ...result });
      } catch (error) {
        throw reportCancel(error, bar);
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

/** A cancelled transfer's bar ends with the line that says so; `error` goes on up. */
function reportCancel(error: unknown, bar: ProgressBar): unknown {
  if (error instanceof CancelledError) {
    bar.cancelled();
    error.reported = true;
  }
  return error;
}

/**
 * `put - NAME`: standard input, copied to a private temp file first (the protocol
 * sends the length before the bytes), then uploaded, then removed.
 */
async function putStdin(name: string | undefined, context: ReplContext): Promise<void> {
  if (name === undefined) throw new UsageError("Usage: put - NAME (stdin has no name of its own)");
  checkName(name);
  if (!context.stdin) {
    throw new UsageError(
      "Standard input is not free to read a file from here: use -c for the commands",
    );
  }
  const temp = await Deno.makeTempFile({ prefix: "ferry-stdin-" });
  try {
    await context.stdin.pipeTo((await Deno.open(temp, { write: true })).writable);
    await REPL_COMMANDS.put.run([temp, name], { ...context, stdin: undefined });
  } finally {
    await Deno.remove(temp).catch(() => {});
  }
}

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

/** The `help` text: one line per command. */
export function replHelp(): string {
  const lines = Object.values(REPL_COMMANDS).map((command) => {
    const aliases = command.aliases.length ? ` (also ${command.aliases.join(", ")})` : "";
    return `  ${command.usage.padEnd(18)} ${command.summary}${aliases}\n`;
  });
  return `Commands:\n${lines.join("")}  ${"!COMMAND".padEnd(18)} run COMMAND here ` +
    `(at a terminal's prompt only)\n` +
    `Quote names with spaces, or escape them: get "my file.txt" or get my\\ file.txt\n` +
    `In local paths ~ is your home folder. A # starts a comment.\n`;
}

/**
 * The `ftp>` command loop of `ferry connect`: tokenises each line, runs it against a
 * {@linkcode Client}, and writes results to the streams it is given. Interactive, it
 * reports an error and carries on; scripted, it stops at the first failure.
 *
 * @module
 */

import type { Client } from "./client_session.ts";
import { RemoteError, UsageError } from "./errors.ts";
import { exitCodeFor, INTERNAL_ERROR, INTERRUPTED, OK } from "./exit_codes.ts";
import { ProgressBar, type ProgressTarget } from "./progress.ts";
import { describeError, printable } from "./text.ts";

/** Somewhere to write text. */
export interface Output {
  write(text: string): void;
}

/** Options for {@linkcode runRepl}. */
export interface ReplOptions {
  client: Client;
  /** Listings and the prompt. */
  stdout: Output;
  /** Progress, summaries and errors. */
  stderr: ProgressTarget;
  /** Prompt for each line and keep going after an error. */
  interactive: boolean;
  /** Aborts on Ctrl-C or SIGTERM: the transfer under way ends and so does the loop. */
  signal?: AbortSignal;
}

interface ReplCommand {
  usage: string;
  summary: string;
  aliases: string[];
  minArgs: number;
  maxArgs: number;
  run(args: string[], options: ReplOptions): Promise<void>;
}

const commands: Record<string, ReplCommand> = {
  ls: {
    usage: "ls",
    summary: "list the server's files (folders end in /)",
    aliases: ["dir"],
    minArgs: 0,
    maxArgs: 0,
    async run(_args, { client, stdout }) {
      const entries = await client.list();
      stdout.write(
        entries.map((e) => printable(e.name) + (e.isDirectory ? "/" : "") + "\n").join(""),
      );
    },
  },
  get: {
    usage: "get NAME [LOCAL]",
    summary: "download NAME (to LOCAL, a file or folder; default ./NAME)",
    aliases: ["download"],
    minArgs: 1,
    maxArgs: 2,
    async run([name, local], { client, stderr }) {
      const bar = new ProgressBar(stderr, "get", name);
      try {
        const result = await client.get(name, local, { onProgress: (b, t) => bar.update(b, t) });
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
    async run(_args, { client }) {
      await client.quit();
    },
  },
};

const byName = new Map<string, ReplCommand>(
  Object.entries(commands).flatMap(([name, command]) =>
    [name, ...command.aliases].map((alias) => [alias, command] as const)
  ),
);

/** The `help` text: one line per command. */
export function replHelp(): string {
  const lines = Object.values(commands).map((command) => {
    const aliases = command.aliases.length ? ` (also ${command.aliases.join(", ")})` : "";
    return `  ${command.usage.padEnd(18)} ${command.summary}${aliases}\n`;
  });
  return `Commands:\n${lines.join("")}Quote names that contain spaces: get "my file.txt"\n`;
}

/**
 * Splits a command line into words. Single or double quotes group words with
 * spaces; backslashes are literal, so Windows paths need no escaping.
 */
export function tokenize(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quoteChar: string | undefined;
  for (const char of line) {
    if (quoteChar) {
      if (char === quoteChar) quoteChar = undefined;
      else word += char;
    } else if (char === '"' || char === "'") {
      quoteChar = char;
      word ??= "";
    } else if (char === " " || char === "\t") {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? "") + char;
    }
  }
  if (quoteChar) throw new SyntaxError(`Unterminated ${quoteChar} quote in: ${printable(line)}`);
  if (word !== undefined) words.push(word);
  return words;
}

/** Runs one command line. Returns whether the session is over (`quit`). */
export async function runLine(line: string, options: ReplOptions): Promise<boolean> {
  let words: string[];
  try {
    words = tokenize(line);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (words.length === 0) return false;
  const [verb, ...args] = words;
  const command = byName.get(verb.toLowerCase());
  if (!command) {
    throw new UsageError(`Unknown command "${printable(verb)}": type help for the list`);
  }
  if (args.length < command.minArgs || args.length > command.maxArgs) {
    throw new UsageError(`Usage: ${command.usage}`);
  }
  await command.run(args, options);
  return command === commands.quit;
}

/**
 * Runs the lines in order and returns the exit code. Interactive: prints a prompt,
 * reports each error and goes on until `quit`, end of input, or a lost connection.
 */
export async function runRepl(lines: AsyncIterable<string>, options: ReplOptions): Promise<number> {
  const { client, stdout, stderr, interactive, signal } = options;
  const iterator = lines[Symbol.asyncIterator]();
  const interrupted = () => {
    stderr.write("\nferry: Interrupted\n");
    return INTERRUPTED;
  };
  let exitCode = OK;
  while (true) {
    if (interactive) stdout.write("ftp> ");
    const next = await untilAborted(iterator.next(), signal);
    if (next === undefined) return interrupted();
    if (next.done) {
      if (interactive) stdout.write("\n");
      break;
    }
    try {
      if (await runLine(next.value, options)) return exitCode;
    } catch (error) {
      if (signal?.aborted) return interrupted();
      const code = exitCodeFor(error);
      stderr.write(`ferry: ${describeFailure(error)}\n`);
      if (code === INTERNAL_ERROR) stderr.write(`${(error as Error)?.stack ?? error}\n`);
      // A person at the prompt can try again; a script, or a lost connection, cannot.
      if (!interactive || client.closed) {
        exitCode = code;
        break;
      }
    }
  }
  await client.quit();
  return exitCode;
}

/** Resolves like `promise`, or with `undefined` as soon as `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T | undefined> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** One sentence for the user: a server's refusal says so, the rest speak for themselves. */
export function describeFailure(error: unknown): string {
  if (error instanceof RemoteError) return `Server refused: ${error.message}`;
  return printable(describeError(error));
}

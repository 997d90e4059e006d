/**
 * The `ftp>` loop of `ferry connect`: reads lines, runs each through the command
 * table, and reports failures. Interactive, it reports an error and carries on;
 * scripted, it stops at the first failure.
 *
 * @module
 */

import type { Client } from "../client/client.ts";
import { UsageError } from "../common/errors.ts";
import { printable } from "../common/text.ts";
import { describeFailure } from "./describe.ts";
import { exitCodeFor, INTERNAL_ERROR, INTERRUPTED, OK } from "./exit_codes.ts";
import type { Output, ProgressTarget } from "./io.ts";
import { replCommand, type ReplContext } from "./repl_commands.ts";
import { tokenize } from "./tokenize.ts";

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

/** Runs one command line. Returns whether the session is over (`quit`). */
export async function runLine(line: string, context: ReplContext): Promise<boolean> {
  let words: string[];
  try {
    words = tokenize(line);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (words.length === 0) return false;
  const [verb, ...args] = words;
  const command = replCommand(verb);
  if (!command) {
    throw new UsageError(`Unknown command "${printable(verb)}": type help for the list`);
  }
  if (args.length < command.minArgs || args.length > command.maxArgs) {
    throw new UsageError(`Usage: ${command.usage}`);
  }
  await command.run(args, context);
  return command.ends === true;
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

/**
 * The `ftp>` loop of `ferry connect`: reads lines, runs each through the command
 * table, and reports failures. Interactive, it reports an error and carries on, and
 * Ctrl-C cancels only the command under way; scripted, it stops at the first
 * failure, and Ctrl-C or SIGTERM ends the run.
 *
 * @module
 */

import type { Client } from "../client/client.ts";
import { CancelledError, LocalFileError, RemoteError, UsageError } from "../common/errors.ts";
import { printable, quote } from "../common/text.ts";
import { describeFailure } from "./describe.ts";
import { exitCodeFor, INTERNAL_ERROR, INTERRUPTED, OK } from "./exit_codes.ts";
import type { Output, ProgressTarget } from "./io.ts";
import { RemoteNames } from "./remote_names.ts";
import { type ReplCommand, replCommand, type ReplContext } from "./repl_commands.ts";
import { quoteWord } from "./quote_word.ts";
import { tokenize } from "./tokenize.ts";

/** Options for {@linkcode runRepl}. */
export interface ReplOptions extends Omit<ReplContext, "names" | "signal"> {
  client: Client;
  /** Listings and the prompt. */
  stdout: Output;
  /** Progress, summaries and errors. */
  stderr: ProgressTarget;
  /** Keep going after an error (a person at the prompt). */
  interactive: boolean;
  /** Print `ftp> ` before each line (interactive, when no line editor does). */
  prompt?: boolean;
  /** Aborts on SIGTERM (and Ctrl-C in a script): the transfer under way ends, and so does the loop. */
  signal?: AbortSignal;
  /**
   * Routes Ctrl-C to `handler` instead of `signal` until the returned function is
   * called: interactive, Ctrl-C cancels the command under way and the session goes on.
   */
  trapInterrupt?: (handler: () => void) => () => void;
  /** Runs `!COMMAND` on this machine; absent where that is not allowed (scripts). */
  runLocal?: (command: string) => Promise<void>;
  /** The names Tab knows; made here if not given. */
  names?: RemoteNames;
}

/** What {@linkcode runLine} needs besides the command context. */
export interface LineContext extends ReplContext {
  runLocal?: (command: string) => Promise<void>;
}

/** Runs one command line. Returns whether the session is over (`quit`). */
export async function runLine(line: string, context: LineContext): Promise<boolean> {
  const trimmed = line.trimStart();
  if (trimmed.startsWith("!")) {
    if (!context.runLocal) {
      throw new UsageError("!COMMAND runs a local command at the ftp> prompt on a terminal only");
    }
    await context.runLocal(trimmed.slice(1));
    return false;
  }
  let words: string[];
  try {
    words = tokenize(line);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (words.length === 0) return false; // A blank line, or a comment.
  const [verb, ...args] = words;
  const command = replCommand(verb);
  if (!command) {
    throw new UsageError(`Unknown command "${printable(verb)}": type help for the list`);
  }
  if (args.length < command.minArgs || args.length > command.maxArgs) {
    throw withSpaceHint(new UsageError(`Usage: ${command.usage}`), verb, args, command);
  }
  try {
    await context.names?.idle(); // A Tab's listing still under way has the connection.
    await command.run(args, context);
  } catch (error) {
    throw withSpaceHint(error, verb, args, command);
  } finally {
    if (command.changes) context.names?.invalidate();
  }
  return command.ends === true;
}

/**
 * `get holiday video.mp4` looks for "holiday": when a name-first command fails for
 * want of its first word, or gets too many, say how to give a name with spaces. Not
 * when what is missing is the last word, a destination given on purpose
 * (`get -r photos backup`, no local folder "backup").
 */
function withSpaceHint(error: unknown, verb: string, args: string[], command: ReplCommand) {
  // The options stay as typed; the words after them were probably one name.
  const named = args.findIndex((arg) => arg === "--" || !arg.startsWith("-") || arg === "-");
  const options = named < 0 ? args : args.slice(0, named);
  const words = named < 0 ? [] : args.slice(args[named] === "--" ? named + 1 : named);
  const missing = (error instanceof RemoteError || error instanceof LocalFileError) &&
    /^No such/.test(error.message) && !error.message.endsWith(quote(words.at(-1) ?? ""));
  if (!command.nameFirst || words.length < 2 || !(missing || error instanceof UsageError)) {
    return error;
  }
  const quoted = [...options, quoteWord(words.join(" "))].join(" ");
  const hint = ` (to use a name with spaces, quote it: ${verb} ${quoted})`;
  const Kind = (error as Error).constructor as new (
    message: string,
    options: ErrorOptions,
  ) => Error;
  return new Kind((error as Error).message + hint, { cause: error });
}

/**
 * Runs the lines in order and returns the exit code. Interactive: reports each error
 * and goes on until `quit`, end of input, or a lost connection.
 */
export async function runRepl(lines: AsyncIterable<string>, options: ReplOptions): Promise<number> {
  const { client, stdout, stderr, interactive, signal } = options;
  const names = options.names ?? new RemoteNames(client);
  const iterator = lines[Symbol.asyncIterator]();
  const interrupted = () => {
    stderr.write("\nferry: Interrupted\n");
    return INTERRUPTED;
  };
  let current: AbortController | undefined;
  const release = options.trapInterrupt?.(() => current?.abort());
  let exitCode = OK;
  try {
    while (true) {
      if (options.prompt) stdout.write("ftp> ");
      const next = await untilAborted(iterator.next(), signal);
      if (next === undefined) return interrupted();
      if (next.done) {
        if (interactive) stdout.write("\n");
        break;
      }
      current = new AbortController();
      try {
        if (await runLine(next.value, { ...options, names, signal: current.signal })) {
          return exitCode;
        }
      } catch (error) {
        if (signal?.aborted) return interrupted();
        const code = exitCodeFor(error);
        if (!(error instanceof CancelledError && error.reported)) {
          stderr.write(`ferry: ${describeFailure(error)}\n`);
        }
        if (code === INTERNAL_ERROR) stderr.write(`${(error as Error)?.stack ?? error}\n`);
        // A person at the prompt can try again; a script, or a lost connection, cannot.
        if (!interactive || client.closed) {
          exitCode = code;
          break;
        }
      } finally {
        current = undefined;
      }
    }
  } finally {
    release?.();
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

/**
 * What `get`, `put`, `mget` and `mput` do at the `ftp>` prompt: one file with a
 * progress bar, or many (a pattern, a list, `-r` for a tree) as a batch with one
 * line per file, a line for the whole batch and a summary. `-f` replaces what is
 * there, atomically; without it nothing is overwritten. In local paths `~` is the
 * home folder, and `-` is standard output for `get` and standard input for `put`.
 * Ctrl-C at the prompt (the context's `signal`) cancels the transfer under way and
 * keeps nothing of it; in a batch, that file, and the rest are not tried.
 *
 * @module
 */

import { type BatchPlan, runBatch, tally } from "../client/batch.ts";
import { planManyGet, planManyPut, planTreeGet, planTreePut } from "../client/batch_plans.ts";
import type { Client, TransferResult } from "../client/client.ts";
import { hasGlob, splitLast } from "../client/globs.ts";
import { chooseDestination } from "../client/local_files.ts";
import { baseName } from "../client/remote_paths.ts";
import { BatchError, CancelledError, RemoteError, UsageError } from "../common/errors.ts";
import { quote } from "../common/text.ts";
import { BatchView, renderBatchSummary } from "./batch_view.ts";
import type { ByteSink } from "../transport/payload_pump.ts";
import type { Output, ProgressTarget } from "./io.ts";
import { expandHome, STANDARD_STREAM } from "./local_paths.ts";
import { ProgressBar } from "./progress.ts";
import { quoteWord } from "./quote_word.ts";
import { parseFlags } from "./repl_flags.ts";

/** What a transfer command runs against: a `ReplContext` will do. */
export interface TransferIo {
  client: Client;
  stdout: Output;
  stderr: ProgressTarget;
  /** Aborts when the user cancels the command (Ctrl-C at the prompt). */
  signal?: AbortSignal;
  /** Where `get NAME -` writes; absent where standard output takes no bytes. */
  stdoutBytes?: ByteSink;
  /** What `put - NAME` reads; absent where standard input carries the commands. */
  stdin?: ReadableStream<Uint8Array>;
}

/** The options of `get` and `put`. */
export const TRANSFER_FLAGS = { recursive: ["-r", "--recursive"], replace: ["-f", "--replace"] };
/** The options of `mget` and `mput`. */
export const MANY_FLAGS = { replace: ["-f", "--replace"] };

/** `get [-r] [-f] REMOTE [LOCAL]`. */
export async function getCommand(args: string[], io: TransferIo): Promise<void> {
  const { flags, words } = parseFlags(args, { command: "get", flags: TRANSFER_FLAGS });
  const [remote, typed] = usage(words, {
    min: 1,
    max: 2,
    text: "get [-r] [-f] NAME [LOCAL]",
  });
  const replace = flags.has("replace");
  if (typed === STANDARD_STREAM) return await getToStdout(remote, io, flags.has("recursive"));
  const local = expandHome(typed ?? ".");
  if (flags.has("recursive")) {
    return await runPlan(io, await planTreeGet(io.client, { dir: remote, into: local }), {
      replace,
    });
  }
  if (hasGlob(splitLast(remote).last)) {
    const plan = await planManyGet(io.client, { patterns: [remote], into: local });
    return await runPlan(io, plan, { replace });
  }
  const name = baseName(await io.client.remote(remote));
  const destination = await chooseDestination(name, typed && local, { replace });
  await withBar(io, { verb: "get", name: remote }, async (onProgress) => {
    try {
      return await io.client.get(remote, destination, {
        replace,
        onProgress,
        onNote: note(io),
        signal: io.signal,
      });
    } catch (error) {
      if (error instanceof RemoteError && await isFolder(io.client, remote)) {
        throw new UsageError(
          `${quote(remote)} is a folder: get -r ${quoteWord(remote)} fetches it and all it holds`,
        );
      }
      throw error;
    }
  });
}

/**
 * `reget` and `reput`: `get` and `put`, which resume by themselves where the server
 * agrees `resume`; these say so in one sentence where it does not (PROTOCOL.md §19).
 */
export async function regetCommand(args: string[], io: TransferIo): Promise<void> {
  await io.client.require("resume");
  await getCommand(args, io);
}

/** See {@linkcode regetCommand}. */
export async function reputCommand(args: string[], io: TransferIo): Promise<void> {
  await io.client.require("resume");
  await putCommand(args, io);
}

/** Writes a transfer's note (it started over, and why) on a line of its own. */
function note(io: TransferIo): (text: string) => void {
  return (text) => io.stderr.write(`${text}\n`);
}

/** `get NAME -`: the file's bytes to standard output, which cannot be taken back. */
async function getToStdout(remote: string, io: TransferIo, recursive: boolean): Promise<void> {
  if (recursive || hasGlob(splitLast(remote).last)) {
    throw new UsageError("Only one file at a time can go to standard output");
  }
  const sink = io.stdoutBytes;
  if (!sink) throw new UsageError("Standard output cannot take a download here");
  await withBar(
    io,
    { verb: "get", name: remote },
    (onProgress) => io.client.getInto(remote, sink, { onProgress, signal: io.signal }),
  );
}

/** Whether `remote` is a folder on the server, asked only after a `get` of it was refused. */
async function isFolder(client: Client, remote: string): Promise<boolean> {
  // Only where extensions were agreed anyway: a hint is no reason to send a base server feat.
  if (client.closed || !client.agreed?.has("list-long")) return false;
  const { folder, last } = splitLast(remote.replace(/\/+$/, ""));
  const entries = await client.listLong(folder === "" ? undefined : folder).catch(() => []);
  return entries.some((entry) => entry.path === last && entry.type === "folder");
}

/** `put [-r] [-f] LOCAL [REMOTE]`. */
export async function putCommand(args: string[], io: TransferIo): Promise<void> {
  const { flags, words } = parseFlags(args, { command: "put", flags: TRANSFER_FLAGS });
  const [typed, remote] = usage(words, { min: 1, max: 2, text: "put [-r] [-f] PATH [NAME]" });
  const replace = flags.has("replace");
  if (typed === STANDARD_STREAM) {
    if (flags.has("recursive")) throw new UsageError("Standard input is one file, not a folder");
    return await putStdin(remote, io, { replace });
  }
  const local = expandHome(typed);
  if (flags.has("recursive")) {
    return await runPlan(io, await planTreePut(io.client, { dir: local, into: remote }), {
      replace,
    });
  }
  if (hasGlob(splitLast(local).last) && !(await exists(local))) {
    const plan = await planManyPut(io.client, { patterns: [local], into: remote });
    return await runPlan(io, plan, { replace });
  }
  await putFile(io, { local, remote, replace, shown: remote ?? typed });
}

/** One local file to the server, with its bar; a taken name gets the `-f` hint. */
async function putFile(
  io: TransferIo,
  { local, remote, replace, shown }: {
    local: string;
    remote?: string;
    replace: boolean;
    shown: string;
  },
): Promise<void> {
  await withBar(io, { verb: "put", name: shown }, async (onProgress) => {
    try {
      return await io.client.put(local, remote, {
        replace,
        onProgress,
        onNote: note(io),
        signal: io.signal,
      });
    } catch (error) {
      // The server said the name is taken: say how to replace it, where that works.
      const taken = error instanceof RemoteError &&
        error.message.endsWith(" already exists on the server");
      if (taken && !replace && io.client.agreed?.has("manage")) {
        throw new RemoteError(`${error.message}; put -f replaces it`, { cause: error });
      }
      throw error;
    }
  });
}

/**
 * `put - NAME`: standard input, copied to a private temp file first (the protocol
 * sends the length before the bytes), then uploaded as NAME, then removed.
 */
async function putStdin(
  remote: string | undefined,
  io: TransferIo,
  { replace }: { replace: boolean },
): Promise<void> {
  if (remote === undefined) {
    throw new UsageError("Usage: put - NAME (stdin has no name of its own)");
  }
  if (!io.stdin) {
    throw new UsageError(
      "Standard input is not free to read a file from here: use -c for the commands",
    );
  }
  const temp = await Deno.makeTempFile({ prefix: "ferry-stdin-" });
  try {
    await io.stdin.pipeTo((await Deno.open(temp, { write: true })).writable);
    await putFile(io, { local: temp, remote, replace, shown: remote });
  } finally {
    await Deno.remove(temp).catch(() => {});
  }
}

/**
 * One transfer with its progress bar, and its summary line once it worked; a
 * cancelled one ends its bar with the line that says so.
 */
async function withBar(
  io: TransferIo,
  label: { verb: "get" | "put"; name: string },
  move: (onProgress: (bytes: number, total: number) => void) => Promise<TransferResult>,
): Promise<void> {
  const bar = new ProgressBar(io.stderr, label.verb, label.name);
  try {
    const result = await move((bytes, total) => bar.update(bytes, total));
    bar.finish({ ...result, verb: label.verb });
  } catch (error) {
    if (error instanceof CancelledError) {
      bar.cancelled({ kept: error.kept });
      error.reported = true;
    }
    throw error;
  } finally {
    bar.finish();
  }
}

/** `mget [-f] REMOTE...`: into the current local folder. */
export async function mgetCommand(args: string[], io: TransferIo): Promise<void> {
  const { flags, words } = parseFlags(args, { command: "mget", flags: MANY_FLAGS });
  usage(words, { min: 1, max: Infinity, text: "mget [-f] NAME..." });
  const plan = await planManyGet(io.client, { patterns: words, into: "." });
  await runPlan(io, plan, { replace: flags.has("replace") });
}

/** `mput [-f] LOCAL...`: into the current server folder. */
export async function mputCommand(args: string[], io: TransferIo): Promise<void> {
  const { flags, words } = parseFlags(args, { command: "mput", flags: MANY_FLAGS });
  usage(words, { min: 1, max: Infinity, text: "mput [-f] PATH..." });
  const plan = await planManyPut(io.client, { patterns: words.map((word) => expandHome(word)) });
  await runPlan(io, plan, { replace: flags.has("replace") });
}

/** Runs a batch with its view, prints the summary, and fails if any file was not transferred. */
async function runPlan(
  io: TransferIo,
  plan: BatchPlan,
  { replace }: { replace: boolean },
): Promise<void> {
  const view = new BatchView(io.stderr, plan);
  const report = await runBatch(io.client, plan, { replace, events: view, signal: io.signal })
    .finally(() => view.finish());
  io.stderr.write(renderBatchSummary(report));
  const { failed } = tally(report);
  const missing = failed + plan.refused.length;
  if (missing === 0) return;
  const failures = report.outcomes.flatMap((o) => o.status === "failed" ? [o.error] : []);
  const total = plan.files.length + plan.refused.length;
  throw new BatchError(
    `${missing} of ${total} files were not transferred (listed above); running the command again skips what arrived`,
    failures.length > 0 ? failures : [new UsageError(plan.refused[0].reason)],
  );
}

/** The words, if there are between `min` and `max` of them. */
function usage(
  words: string[],
  { min, max, text }: { min: number; max: number; text: string },
): string[] {
  if (words.length < min || words.length > max) throw new UsageError(`Usage: ${text}`);
  return words;
}

async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

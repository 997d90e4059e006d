/**
 * What `get`, `put`, `mget` and `mput` do at the `ftp>` prompt: one file with a
 * progress bar, or many (a pattern, a list, `-r` for a tree) as a batch with one
 * line per file, a line for the whole batch and a summary. `-f` replaces what is
 * there, atomically; without it nothing is overwritten.
 *
 * @module
 */

import { type BatchPlan, runBatch, tally } from "../client/batch.ts";
import { planManyGet, planManyPut, planTreeGet, planTreePut } from "../client/batch_plans.ts";
import type { Client, TransferResult } from "../client/client.ts";
import { hasGlob, splitLast } from "../client/globs.ts";
import { chooseDestination } from "../client/local_files.ts";
import { baseName } from "../client/remote_paths.ts";
import { BatchError, RemoteError, UsageError } from "../common/errors.ts";
import { quote } from "../common/text.ts";
import { BatchView, renderBatchSummary } from "./batch_view.ts";
import type { Output, ProgressTarget } from "./io.ts";
import { ProgressBar } from "./progress.ts";
import { quoteWord } from "./quote_word.ts";
import { parseFlags } from "./repl_flags.ts";

/** What a transfer command runs against: a `ReplContext` will do. */
export interface TransferIo {
  client: Client;
  stdout: Output;
  stderr: ProgressTarget;
}

const TRANSFER_FLAGS = { recursive: ["-r", "--recursive"], replace: ["-f", "--replace"] };
const MANY_FLAGS = { replace: ["-f", "--replace"] };

/** `get [-r] [-f] REMOTE [LOCAL]`. */
export async function getCommand(args: string[], io: TransferIo): Promise<void> {
  const { flags, words } = parseFlags(args, { command: "get", flags: TRANSFER_FLAGS });
  const [remote, local = "."] = usage(words, {
    min: 1,
    max: 2,
    text: "get [-r] [-f] NAME [LOCAL]",
  });
  const replace = flags.has("replace");
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
  const destination = await chooseDestination(name, words[1], { replace });
  await withBar(io, { verb: "get", name: remote }, async (onProgress) => {
    try {
      return await io.client.get(remote, destination, { replace, onProgress, onNote: note(io) });
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
  const [local, remote] = usage(words, { min: 1, max: 2, text: "put [-r] [-f] PATH [NAME]" });
  const replace = flags.has("replace");
  if (flags.has("recursive")) {
    return await runPlan(io, await planTreePut(io.client, { dir: local, into: remote }), {
      replace,
    });
  }
  if (hasGlob(splitLast(local).last) && !(await exists(local))) {
    const plan = await planManyPut(io.client, { patterns: [local], into: remote });
    return await runPlan(io, plan, { replace });
  }
  await withBar(io, { verb: "put", name: remote ?? local }, async (onProgress) => {
    try {
      return await io.client.put(local, remote, { replace, onProgress, onNote: note(io) });
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

/** One transfer with its progress bar, and its summary line once it worked. */
async function withBar(
  io: TransferIo,
  label: { verb: "get" | "put"; name: string },
  move: (onProgress: (bytes: number, total: number) => void) => Promise<TransferResult>,
): Promise<void> {
  const bar = new ProgressBar(io.stderr, label.verb, label.name);
  try {
    const result = await move((bytes, total) => bar.update(bytes, total));
    bar.finish({ ...result, verb: label.verb });
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
  const plan = await planManyPut(io.client, { patterns: words });
  await runPlan(io, plan, { replace: flags.has("replace") });
}

/** Runs a batch with its view, prints the summary, and fails if any file was not transferred. */
async function runPlan(
  io: TransferIo,
  plan: BatchPlan,
  { replace }: { replace: boolean },
): Promise<void> {
  const view = new BatchView(io.stderr, plan);
  const report = await runBatch(io.client, plan, { replace, events: view }).finally(() =>
    view.finish()
  );
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

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
import type { Client } from "../client/client.ts";
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
  const { flags, words } = parseFlags("get", args, TRANSFER_FLAGS);
  const [remote, local] = usage(words, 1, 2, "get [-r] [-f] NAME [LOCAL]");
  const replace = flags.has("replace");
  if (flags.has("recursive")) {
    return await runPlan(io, await planTreeGet(io.client, remote, local ?? "."), replace);
  }
  if (hasGlob(splitLast(remote).last)) {
    return await runPlan(io, await planManyGet(io.client, [remote], local ?? "."), replace);
  }
  const path = await io.client.remote(remote);
  const name = baseName(path);
  const destination = await chooseDestination(name, local, { replace });
  const bar = new ProgressBar(io.stderr, "get", remote);
  try {
    const result = await io.client.get(remote, destination, {
      replace,
      onProgress: (b, t) => bar.update(b, t),
    });
    bar.finish({ verb: "get", ...result });
  } catch (error) {
    if (error instanceof RemoteError && await isFolder(io.client, remote)) {
      throw new UsageError(
        `${quote(remote)} is a folder: get -r ${quoteWord(remote)} fetches it and all it holds`,
      );
    }
    throw error;
  } finally {
    bar.finish();
  }
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
  const { flags, words } = parseFlags("put", args, TRANSFER_FLAGS);
  const [local, remote] = usage(words, 1, 2, "put [-r] [-f] PATH [NAME]");
  const replace = flags.has("replace");
  if (flags.has("recursive")) {
    return await runPlan(io, await planTreePut(io.client, local, remote), replace);
  }
  if (hasGlob(splitLast(local).last) && !(await exists(local))) {
    return await runPlan(io, await planManyPut(io.client, [local], remote), replace);
  }
  const bar = new ProgressBar(io.stderr, "put", remote ?? local);
  try {
    const result = await io.client.put(local, remote, {
      replace,
      onProgress: (b, t) => bar.update(b, t),
    });
    bar.finish({ verb: "put", ...result });
  } catch (error) {
    // The server said the name is taken: say how to replace it, where that works.
    const taken = error instanceof RemoteError &&
      error.message.endsWith(" already exists on the server");
    if (taken && !replace && io.client.agreed?.has("manage")) {
      throw new RemoteError(`${error.message}; put -f replaces it`, { cause: error });
    }
    throw error;
  } finally {
    bar.finish();
  }
}

/** `mget [-f] REMOTE...`: into the current local folder. */
export async function mgetCommand(args: string[], io: TransferIo): Promise<void> {
  const { flags, words } = parseFlags("mget", args, MANY_FLAGS);
  usage(words, 1, Infinity, "mget [-f] NAME...");
  await runPlan(io, await planManyGet(io.client, words, "."), flags.has("replace"));
}

/** `mput [-f] LOCAL...`: into the current server folder. */
export async function mputCommand(args: string[], io: TransferIo): Promise<void> {
  const { flags, words } = parseFlags("mput", args, MANY_FLAGS);
  usage(words, 1, Infinity, "mput [-f] PATH...");
  await runPlan(io, await planManyPut(io.client, words), flags.has("replace"));
}

/** Runs a batch with its view, prints the summary, and fails if any file was not transferred. */
async function runPlan(io: TransferIo, plan: BatchPlan, replace: boolean): Promise<void> {
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
function usage(words: string[], min: number, max: number, text: string): string[] {
  if (words.length < min || words.length > max) throw new UsageError(`Usage: ${text}`);
  return words;
}

async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

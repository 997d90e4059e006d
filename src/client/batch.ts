/**
 * Many files in one go (`get -r`, `put -r`, `mget`, `mput`, globs): a
 * {@linkcode BatchPlan} made by `batch_plans.ts`, carried out one file at a time over
 * the session, with what happened to each file reported as it happens and in the end.
 *
 * A file whose copy is already at the destination is skipped if the two are the same
 * by SHA-256 (the server hashes its copy: the `hash` extension), so a batch that was
 * cut short can be run again to finish the rest; one that differs (or cannot be
 * compared) is refused unless asked to replace it. Every file is written atomically as a single `get` or `put` is,
 * so a batch never leaves a half-written file. A refusal or a local problem costs that
 * file only; a lost connection ends the batch, the rest reported as not transferred.
 *
 * @module
 */

import { basename, sep as SEPARATOR } from "node:path";
import type { DigestName } from "../common/digest.ts";
import { DestinationExistsError, UnsupportedError } from "../common/errors.ts";
import { quote } from "../common/text.ts";
import type { Client, TransferResult } from "./client.ts";
import { MAX_INLINE_BYTES } from "../protocol/inline.ts";
import { hashLocalFile } from "./local_files.ts";
import type { Refusal } from "./local_tree.ts";

/** One file of a batch. */
export interface BatchFile {
  /** Its path on the server, as sent (relative to the session's current folder). */
  remote: string;
  /** Its local path. */
  local: string;
  /** Its size, where known beforehand (the listing, the local file). */
  size: number | undefined;
  /** How the user sees it: its path within the tree, `photos/a.jpg`. */
  shown: string;
  /** The size of the copy at the destination, if one is known to be there already. */
  existing?: number;
  /** For a file of a tree being fetched: its segments below the tree's local root. */
  segments?: readonly string[];
}

/** What to do, planned before anything moves. */
export interface BatchPlan {
  direction: "get" | "put";
  /** What the user asked for, for the summary: `get -r "photos"`. */
  label: string;
  /** Folders to make first, parents before children: local paths for a get, remote for a put. */
  folders: { path: string; shown: string; segments?: readonly string[] }[];
  files: BatchFile[];
  /** What will not be transferred, and why: unsafe names, links, special files. */
  refused: Refusal[];
  /** Makes one of `folders` (or finds it there already). */
  makeFolder(folder: BatchPlan["folders"][number]): Promise<void>;
  /** Gets a file's destination ready (checks its local folders), before it moves. */
  prepare?(file: BatchFile): Promise<void>;
}

/** What happened to one file. */
export type FileOutcome =
  | { status: "sent"; file: BatchFile; result: TransferResult }
  /** `digest`: the one both copies were compared by. */
  | { status: "skipped"; file: BatchFile; digest: DigestName }
  | { status: "failed"; file: BatchFile; error: unknown };

/** How a batch reports as it goes; every callback is optional. */
export interface BatchEvents {
  /** A file starts (`index` counts from 0 over `plan.files`). */
  onStart?(file: BatchFile, index: number): void;
  /** Bytes of the current file moved so far, and its size. */
  onProgress?(bytes: number, total: number): void;
  /** A file is done with, one way or another. */
  onDone?(outcome: FileOutcome): void;
}

/** What a batch did. */
export interface BatchReport {
  plan: BatchPlan;
  outcomes: FileOutcome[];
  /** Payload bytes moved. */
  bytes: number;
  ms: number;
}

/** Options for {@linkcode runBatch}. */
export interface BatchOptions {
  /** Replace a destination file that differs (atomically). Default `false`: refuse it. */
  replace?: boolean;
  events?: BatchEvents;
  /**
   * Cancels the batch when it aborts (Ctrl-C at the prompt): the file under way fails
   * with `CancelledError` (keeping nothing under its name; see `TransferOptions.signal`),
   * and the rest are not tried.
   */
  signal?: AbortSignal;
}

/** Runs a plan, one file at a time; never throws for a single file's failure. */
export async function runBatch(
  client: Client,
  plan: BatchPlan,
  options: BatchOptions = {},
): Promise<BatchReport> {
  const started = performance.now();
  const outcomes: FileOutcome[] = [];
  const unmade: string[] = [];
  for (const folder of plan.folders) {
    try {
      await plan.makeFolder(folder);
    } catch (error) {
      if (client.closed) break;
      plan.refused.push({ shown: folder.shown, reason: `folder not made: ${messageOf(error)}` });
      unmade.push(folder.path);
    }
  }
  let bytes = 0;
  const report = (outcome: FileOutcome) => {
    outcomes.push(outcome);
    options.events?.onDone?.(outcome);
  };
  const fetched = await fetchSmallFiles(client, plan, {
    unmade,
    events: options.events,
    signal: options.signal,
    report: (outcome) => {
      if (outcome.status === "sent") bytes += outcome.result.bytes;
      report(outcome);
    },
  });
  for (const [index, file] of plan.files.entries()) {
    if (fetched.has(index)) continue;
    if (client.closed || options.signal?.aborted) {
      const why = client.closed ? "the connection was lost" : "the batch was cancelled";
      report({ status: "failed", file, error: new Error(`not tried: ${why}`) });
      continue;
    }
    options.events?.onStart?.(file, index);
    try {
      if (underUnmade(plan, file, unmade)) {
        throw new Error("not tried: its folder could not be made");
      }
      await plan.prepare?.(file);
      const there = await compare(client, { direction: plan.direction, file });
      if (typeof there === "object") {
        report({ status: "skipped", file, digest: there.same });
        continue;
      }
      if (there !== "missing" && !options.replace) {
        const why = there === "differs" ? "differs" : "cannot be compared (the server has no hash)";
        const where = plan.direction === "get" ? "here" : "on the server";
        throw new DestinationExistsError(`${quote(file.shown)} exists ${where} and ${why}`);
      }
      const transfer = {
        replace: there !== "missing",
        signal: options.signal,
        onProgress: (bytes: number, total: number) => options.events?.onProgress?.(bytes, total),
      };
      const result = plan.direction === "get"
        ? await client.get(file.remote, file.local, transfer)
        : await client.put(file.local, file.remote, transfer);
      bytes += result.bytes;
      report({ status: "sent", file, result });
    } catch (error) {
      report({ status: "failed", file, error });
    }
  }
  // Small files fetched first came first: report every file in the plan's order.
  const order = new Map(plan.files.map((file, index) => [file, index]));
  outcomes.sort((a, b) => (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0));
  return { plan, outcomes, bytes, ms: performance.now() - started };
}

/** Whether `file` lies in one of the folders that could not be made. */
function underUnmade(plan: BatchPlan, file: BatchFile, unmade: readonly string[]): boolean {
  const [path, separator] = plan.direction === "get" ? [file.local, SEPARATOR] : [file.remote, "/"];
  return unmade.some((folder) => path.startsWith(folder + separator));
}

/**
 * Gets the plan's small files first, over the control connection and pipelined, in
 * a session that agreed `inline` (PROTOCOL.md §18): those not known to be over the
 * inline limit (the server answers one that is with its size), with nothing at their
 * local path yet (one there
 * needs comparing, which the one-by-one path does). Returns the indexes of the files
 * it settled, each reported; the rest (a file that grew past the limit included)
 * are left to `get`.
 */
async function fetchSmallFiles(
  client: Client,
  plan: BatchPlan,
  { unmade, events, report, signal }: {
    unmade: readonly string[];
    events?: BatchEvents;
    report: (outcome: FileOutcome) => void;
    signal?: AbortSignal;
  },
): Promise<Set<number>> {
  const settled = new Set<number>();
  if (plan.direction !== "get" || !client.inline || signal?.aborted) return settled;
  const chosen = [...plan.files.entries()].filter(([, file]) =>
    (file.size ?? 0) <= MAX_INLINE_BYTES &&
    !underUnmade(plan, file, unmade) && !localExists(file.local)
  );
  const requests = chosen.map(([, file]) => ({
    name: file.remote,
    path: file.local,
    prepare: () => plan.prepare?.(file) ?? Promise.resolve(),
  }));
  await client.fetchMany(requests, (at, outcome) => {
    if (outcome.type === "too-large") return;
    const [index, file] = chosen[at];
    settled.add(index);
    events?.onStart?.(file, index);
    if (outcome.type === "failed") return report({ status: "failed", file, error: outcome.error });
    const { bytes, hex, ms } = outcome;
    const result = { name: file.remote, path: file.local, bytes, hex, ms, verified: true };
    report({ status: "sent", file, result: { ...result, digest: client.digest } });
  }, { signal }).catch((error) => {
    // The session broke: what was not settled is tried (and fails) one by one.
    if (!client.closed) throw error;
  });
  return settled;
}

/** Whether anything, even a dangling link, is at the local path `path`. */
function localExists(path: string): boolean {
  try {
    // Synchronous: one metadata call costs ~4 µs so, against ~34 µs through the pool.
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * What the destination holds of this file: nothing, the very same file (same size,
 * then the same digest, the server's worked out there: `same` names the digest), or
 * another.
 */
async function compare(
  client: Client,
  { direction, file }: { direction: "get" | "put"; file: BatchFile },
): Promise<"missing" | { same: DigestName } | "differs" | "unknown"> {
  const there = direction === "get" ? await localSize(file.local) : file.existing;
  if (there === undefined) return "missing";
  const mine = direction === "get" ? file.size : (await Deno.lstat(file.local)).size;
  // An unknown size (a name asked for without a listing) leaves it to the hash.
  if (mine !== undefined && there !== mine) return "differs";
  const remote = await client.hash(file.remote).catch((error) => {
    if (error instanceof UnsupportedError) return undefined;
    throw error;
  });
  if (remote === undefined) return "unknown";
  const local = await hashLocalFile(file.local, remote.name);
  return remote.hex === local ? { same: remote.name } : "differs";
}

/** The size of a local file, `undefined` if none is there; a folder or link there is refused. */
async function localSize(path: string): Promise<number | undefined> {
  const info = await Deno.lstat(path).catch(() => undefined);
  if (!info) return undefined;
  if (!info.isFile) {
    throw new DestinationExistsError(
      `${quote(basename(path))} is not a plain file here; left as it is`,
    );
  }
  return info.size;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** How many files a report counts of each kind. */
export function tally(report: BatchReport): { sent: number; skipped: number; failed: number } {
  const count = (status: FileOutcome["status"]) =>
    report.outcomes.filter((outcome) => outcome.status === status).length;
  return { sent: count("sent"), skipped: count("skipped"), failed: count("failed") };
}

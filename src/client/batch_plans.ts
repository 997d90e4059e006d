/**
 * What a transfer of many files will do, worked out before anything moves: a whole
 * tree (`get -r`, `put -r`), or the files a list of names and patterns match (`mget`,
 * `mput`, `get *.txt`). Names from the server are never trusted: an entry that would
 * write outside the local folder asked for (`..`, a path from the root, a link) is
 * refused and reported, never followed.
 *
 * @module
 */

import { basename, join, resolve } from "node:path";
import { LocalFileError, RemoteError, UnsupportedError, UsageError } from "../common/errors.ts";
import { describeError, quote } from "../common/text.ts";
import type { LongEntry } from "../protocol/long_listing.ts";
import { nameProblem, pathProblem } from "../protocol/names.ts";
import { splitPath } from "../protocol/paths.ts";
import type { BatchPlan } from "./batch.ts";
import type { Client } from "./client.ts";
import { globMatcher, hasGlob, splitLast } from "./globs.ts";
import { LocalTarget, type Refusal, walkLocal } from "./local_tree.ts";
import { joinRemote } from "./remote_paths.ts";

/**
 * Why a path a server listed cannot be written below a local folder: the wire's
 * path rule, and no `..` at all (a tree's entries only ever go down).
 */
export function serverPathProblem(path: string): string | undefined {
  const problem = pathProblem(path);
  if (problem) return problem;
  if (splitPath(path).includes("..")) return `Path ${quote(path)} steps up out of the folder`;
  return undefined;
}

/** `get -r DIR`: the server folder `dir` and everything in it, into the local folder `into`. */
export async function planTreeGet(
  client: Client,
  { dir, into }: { dir: string; into: string },
): Promise<BatchPlan> {
  const folder = await Deno.stat(into).catch(() => undefined);
  if (!folder?.isDirectory) throw new LocalFileError(`No such local folder ${quote(into)}`);
  const remote = await client.remote(dir);
  const entries = await client.tree(dir);
  const name = remote.segments.at(-1);
  const root = name === undefined ? into : join(into, name);
  // The root's own contents go straight into the folder the user named.
  const target = new LocalTarget(root, { given: name === undefined });
  const shownRoot = name ?? remote.typed;
  const plan = newPlan("get", `get -r ${quote(remote.typed)}`, {
    makeFolder: (folder) =>
      folder.segments?.length ? target.folder(folder.segments).then(() => {}) : target.prepare(),
    prepare: (file) => target.file(file.segments ?? [basename(file.local)]).then(() => {}),
  });
  plan.folders.push({ path: root, shown: shownRoot, segments: [] });
  for (const entry of entries) {
    const shown = `${shownRoot}/${entry.path}`;
    const remotePath = joinRemote(remote.wire, entry.path);
    const problem = serverPathProblem(entry.path) ?? pathProblem(remotePath);
    if (problem) {
      plan.refused.push({ shown, reason: `unsafe name from the server: ${problem}` });
      continue;
    }
    const segments = splitPath(entry.path);
    const local = join(root, ...segments);
    if (entry.type === "link") {
      plan.refused.push({ shown, reason: "a link to a folder on the server, not followed" });
    } else if (entry.type === "folder") plan.folders.push({ path: local, shown, segments });
    else plan.files.push({ remote: remotePath, local, size: entry.size, shown, segments });
  }
  return plan;
}

/** `put -r DIR`: the local folder `dir` and everything in it, into the server folder `into`. */
export async function planTreePut(
  client: Client,
  { dir, into }: { dir: string; into?: string },
): Promise<BatchPlan> {
  const info = await Deno.stat(dir).catch((error) => {
    throw new LocalFileError(`Cannot read ${quote(dir)}: ${describeError(error)}`);
  });
  if (!info.isDirectory) throw new LocalFileError(`${quote(dir)} is not a folder`);
  const name = basename(resolve(dir));
  const problem = nameProblem(name);
  if (problem) throw new UsageError(`Cannot send the folder ${quote(dir)}: ${problem}`);
  const parent = into === undefined ? undefined : (await client.remote(into)).wire;
  const top = joinRemote(parent, name);
  await client.require("manage");
  const there = await remoteTree(client, { parent, name });
  const plan = newPlan("put", `put -r ${quote(dir)}`, {
    makeFolder: (folder) => client.mkdir(folder.path),
  });
  if (!there) plan.folders.push({ path: top, shown: name });
  const walk = await walkLocal(dir, name);
  plan.refused.push(...walk.refused);
  for (const entry of walk.entries) {
    const remote = joinRemote(top, entry.path);
    const shown = `${name}/${entry.path}`;
    const existing = there?.get(entry.path);
    const tooLong = pathProblem(remote);
    if (tooLong) plan.refused.push({ shown, reason: tooLong });
    else if (entry.type === "folder") {
      if (existing?.type !== "folder") plan.folders.push({ path: remote, shown });
    } else if (existing && existing.type !== "file") {
      plan.refused.push({ shown, reason: "a folder on the server has that name" });
    } else {
      const local = join(dir, ...entry.path.split("/"));
      plan.files.push({ remote, local, size: entry.size, shown, existing: existing?.size });
    }
  }
  return plan;
}

/**
 * What the server has below `parent/name`, by path; `undefined` if that is not a
 * folder there. Asked through the parent's listing first: a refusal for a folder that
 * is not there yet would cost the grace a client waits for a hang-up after one.
 */
async function remoteTree(
  client: Client,
  { parent, name }: { parent: string | undefined; name: string },
): Promise<Map<string, LongEntry> | undefined> {
  const siblings = await client.listLong(parent);
  if (!siblings.some((entry) => entry.path === name && entry.type === "folder")) return undefined;
  const top = joinRemote(parent, name);
  return new Map((await client.tree(top)).map((entry) => [entry.path, entry]));
}

/** `mget`, or `get` of a pattern: the server files the names and patterns match, into `into`. */
export async function planManyGet(
  client: Client,
  { patterns, into }: { patterns: readonly string[]; into: string },
): Promise<BatchPlan> {
  const plan = newPlan("get", `get ${patterns.map((p) => quote(p)).join(" ")}`, {
    makeFolder: () => Promise.resolve(),
  });
  for (const pattern of patterns) {
    const { folder, last } = splitLast(pattern);
    if (!hasGlob(last)) {
      const name = (await client.remote(pattern)).segments.at(-1) ?? last;
      plan.files.push({
        remote: pattern,
        local: join(into, name),
        size: undefined,
        shown: pattern,
      });
      continue;
    }
    const listed = await listFolder(client, folder);
    const exact = listed.find((entry) => entry.path === last);
    const matches = exact ? [exact] : listed.filter((entry) => globMatcher(last)(entry.path));
    if (matches.length === 0) plan.refused.push({ shown: pattern, reason: "matches nothing" });
    for (const entry of matches) {
      const shown = folder + entry.path;
      const problem = nameProblem(entry.path);
      if (problem) plan.refused.push({ shown, reason: `unsafe name from the server: ${problem}` });
      else if (entry.type !== "file") {
        plan.refused.push({ shown, reason: "a folder (a recursive get fetches folders)" });
      } else {
        const local = join(into, entry.path);
        plan.files.push({ remote: shown, local, size: entry.size, shown });
      }
    }
  }
  return plan;
}

/**
 * A server folder's entries: with sizes where the server has long listings, else
 * from `ls`, which every server answers (a base server can serve `mget` too).
 */
async function listFolder(client: Client, folder: string): Promise<LongEntry[]> {
  const path = folder === "" ? undefined : folder;
  if ((await client.features()).has("list-long")) return await client.listLong(path);
  return Array.from(await client.list(path), (entry): LongEntry => ({
    path: entry.name,
    type: entry.isDirectory ? "folder" : "file",
  }));
}

/** `mput`, or `put` of a pattern: the local files the names and patterns match, into `into`. */
export async function planManyPut(
  client: Client,
  { patterns, into }: { patterns: readonly string[]; into?: string },
): Promise<BatchPlan> {
  const folder = into === undefined ? undefined : (await client.remote(into)).wire;
  const plan = newPlan("put", `put ${patterns.map((p) => quote(p)).join(" ")}`, {
    makeFolder: () => Promise.resolve(),
  });
  const local: string[] = [];
  for (const pattern of patterns) {
    const found = await expandLocal(pattern);
    if (found.length === 0) plan.refused.push({ shown: pattern, reason: "matches nothing here" });
    local.push(...found);
  }
  const there = await existingIn(client, folder);
  for (const path of local) {
    const info = await Deno.stat(path).catch(() => undefined);
    if (!info?.isFile) {
      const reason = info?.isDirectory
        ? "a folder (a recursive put sends folders)"
        : "not a regular file";
      plan.refused.push({ shown: path, reason });
      continue;
    }
    const name = basename(path);
    plan.files.push({
      remote: joinRemote(folder, name),
      local: path,
      size: info.size,
      shown: path,
      existing: there.get(name),
    });
  }
  return plan;
}

/** The local paths a name or pattern stands for; a name that exists as typed is itself. */
async function expandLocal(pattern: string): Promise<string[]> {
  const { folder, last } = splitLast(pattern);
  const exists = await Deno.lstat(pattern).then(() => true, () => false);
  if (!hasGlob(last) || exists) return exists || !hasGlob(last) ? [pattern] : [];
  const matches: string[] = [];
  const match = globMatcher(last);
  try {
    for await (const entry of Deno.readDir(folder === "" ? "." : folder)) {
      if (match(entry.name)) matches.push(folder + entry.name);
    }
  } catch (error) {
    throw new LocalFileError(
      `Cannot read the folder ${quote(folder || ".")}: ${describeError(error)}`,
    );
  }
  return matches.sort();
}

/** Sizes of the files already in a server folder, where the server can list them long. */
async function existingIn(
  client: Client,
  folder: string | undefined,
): Promise<Map<string, number>> {
  if (!(await client.features()).has("list-long")) return new Map();
  const entries = await client.listLong(folder).catch((error) => {
    if (error instanceof RemoteError && !(error instanceof UnsupportedError)) return [];
    throw error;
  });
  return new Map(
    entries.filter((entry) => entry.type === "file").map((entry) => [entry.path, entry.size ?? 0]),
  );
}

function newPlan(
  direction: "get" | "put",
  label: string,
  actions: Pick<BatchPlan, "makeFolder" | "prepare">,
): BatchPlan {
  return { direction, label, folders: [], files: [], refused: [] as Refusal[], ...actions };
}

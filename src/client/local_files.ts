/**
 * The client's side of the file system: where a download may go, and which local
 * files may be uploaded. Checked before anything is sent, so a local mistake never
 * costs a transfer. The caller decides the destination; this only checks it.
 *
 * @module
 */

import { dirname, join } from "node:path";
import { AtomicFile, writeAtomicallySync } from "../common/atomic_file.ts";
import { type DigestName, digestOf } from "../common/digest.ts";
import { DestinationExistsError, LocalFileError } from "../common/errors.ts";
import { describeError, quote } from "../common/text.ts";

/**
 * Where a download of `name` goes when the user names `destination` (default:
 * `name` in the current folder): into it if it is a folder (a trailing `/` says it
 * must be one), else that path. Then checked by {@linkcode checkNewFile}, or with
 * `replace` by {@linkcode checkReplaceable}.
 */
export async function chooseDestination(
  name: string,
  destination = name,
  options: { replace?: boolean } = {},
): Promise<string> {
  const check = options.replace ? checkReplaceable : checkNewFile;
  const target = await statOrUndefined(destination).catch((error) => {
    throw cannotWrite(destination, error);
  });
  if (target?.isDirectory) return await check(join(destination, name));
  if (/[\\/]$/.test(destination)) {
    throw new LocalFileError(`No such local folder ${quote(destination)}`);
  }
  return await check(destination);
}

/**
 * Refuses, before anything is downloaded, a local path that exists or whose folder
 * does not; returns the path.
 */
export async function checkNewFile(path: string): Promise<string> {
  const folder = dirname(path);
  const folderInfo = await statOrUndefined(folder).catch((error) => {
    throw cannotWrite(path, error);
  });
  if (!folderInfo?.isDirectory) {
    throw new LocalFileError(`Cannot write ${quote(path)}: no such local folder ${quote(folder)}`);
  }
  try {
    await Deno.lstat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return path;
    throw cannotWrite(path, error);
  }
  throw new DestinationExistsError(`${quote(path)} already exists here`);
}

/**
 * Refuses, before anything is downloaded, a local path a download may not replace: a
 * folder, or one whose folder does not exist. A file there (or nothing) is fine.
 */
export async function checkReplaceable(path: string): Promise<string> {
  try {
    return await checkNewFile(path);
  } catch (error) {
    if (!(error instanceof DestinationExistsError)) throw error;
  }
  const info = await Deno.lstat(path).catch((error) => {
    throw cannotWrite(path, error);
  });
  if (info.isDirectory) throw new LocalFileError(`${quote(path)} is a folder here`);
  return path;
}

function cannotWrite(path: string, error: unknown): LocalFileError {
  return new LocalFileError(`Cannot write ${quote(path)}: ${describeError(error)}`, {
    cause: error,
  });
}

/**
 * The temp file a download of `path` is written to: hidden, beside it (so the final
 * link stays on one file system), and of fixed length, so any name that fits fits.
 */
export function downloadTempPath(path: string): string {
  return join(dirname(path), `${DOWNLOAD_PREFIX}${crypto.randomUUID()}.part`);
}

const DOWNLOAD_PREFIX = ".ferry-download-";
const DOWNLOAD_PATTERN =
  /^\.ferry-download-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.part$/;

/**
 * A temp file younger than this is never taken for a leftover: it may belong to a
 * download that has created it and not yet locked it.
 */
const STALE_AFTER_MS = 1_000;

/** Folders already tidied by this process: what a killed run left is there from the start. */
const tidied = new Set<string>();

/**
 * Starts a download of `path`: removes what killed runs left in its folder (the first
 * time this process downloads there), then creates its temp file, locked while in use
 * (see {@linkcode removeStaleDownloads}).
 */
export async function createDownload(path: string): Promise<AtomicFile> {
  await tidyDownloads(dirname(path));
  return await AtomicFile.create(path, downloadTempPath(path), { lock: true });
}

/** Removes what killed runs left in `folder`, the first time this process downloads there. */
export async function tidyDownloads(folder: string): Promise<void> {
  if (tidied.has(folder)) return;
  tidied.add(folder);
  await removeStaleDownloads(folder).catch(() => []); // Tidying is no reason to fail.
}

/**
 * Writes a small download that arrived whole (a `fetch` answer) as `path`, with the
 * checks and the atomic commit of {@linkcode createDownload}, synchronously: for a
 * 4 KiB file that is about 0.06 ms against 0.39 ms through the thread pool (tmpfs,
 * measured here), most of what the client spends per file.
 */
export async function saveSmallDownload(
  path: string,
  { bytes, replace = false }: { bytes: Uint8Array; replace?: boolean },
): Promise<void> {
  const folder = dirname(path);
  const fail = (error: unknown) =>
    new LocalFileError(`Cannot write ${quote(path)}: ${describeError(error)}`, { cause: error });
  let info;
  try {
    info = Deno.statSync(folder);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw fail(error);
  }
  if (!info?.isDirectory) {
    throw new LocalFileError(`Cannot write ${quote(path)}: no such local folder ${quote(folder)}`);
  }
  await tidyDownloads(folder);
  try {
    writeAtomicallySync(path, { tempPath: downloadTempPath(path), bytes, replace });
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) {
      throw new DestinationExistsError(`${quote(path)} already exists here`);
    }
    if (error instanceof Deno.errors.IsADirectory) {
      throw new LocalFileError(`Cannot write ${quote(path)}: it is a folder here`);
    }
    throw fail(error);
  }
}

/**
 * Removes the temp files of downloads a killed run left in `folder`: those no process
 * holds locked (every download locks its own) and at least a second old. Returns
 * their names.
 */
export async function removeStaleDownloads(folder: string, now = Date.now()): Promise<string[]> {
  const removed: string[] = [];
  for await (const entry of Deno.readDir(folder)) {
    if (!entry.isFile || !DOWNLOAD_PATTERN.test(entry.name)) continue;
    const path = join(folder, entry.name);
    try {
      using file = await Deno.open(path, { read: true });
      const { mtime } = await file.stat();
      if (now - (mtime?.getTime() ?? now) < STALE_AFTER_MS) continue;
      if (!(await file.tryLock(true))) continue; // In use by a download under way.
      await Deno.remove(path);
      removed.push(entry.name);
    } catch {
      // Gone already, or not ours to remove: leave it.
    }
  }
  return removed;
}

async function statOrUndefined(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** Opens a local regular file for upload; refuses missing and special files. */
export async function openLocalFile(path: string): Promise<Deno.FsFile> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new LocalFileError(`No such local file ${quote(path)}`);
    }
    throw new LocalFileError(`Cannot read ${quote(path)}: ${describeError(error)}`);
  }
  if (!info.isFile) throw new LocalFileError(`${quote(path)} is not a regular file`);
  try {
    return await Deno.open(path, { read: true });
  } catch (error) {
    throw new LocalFileError(`Cannot read ${quote(path)}: ${describeError(error)}`);
  }
}

/** The digest `name` (hex) of a local file, read in 1 MiB pieces. */
export async function hashLocalFile(path: string, name: DigestName): Promise<string> {
  using file = await openLocalFile(path);
  try {
    return await digestOf(file, { name });
  } catch (error) {
    throw new LocalFileError(`Cannot read ${quote(path)}: ${describeError(error)}`);
  }
}

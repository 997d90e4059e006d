/**
 * The client's side of the file system: where a download may go, and which local
 * files may be uploaded. Checked before anything is sent, so a local mistake never
 * costs a transfer.
 *
 * @module
 */

import { dirname, join } from "node:path";
import { LocalFileError } from "./errors.ts";
import { describeError, quote } from "./text.ts";
import { MAX_PAYLOAD } from "./wire.ts";

/**
 * The path a download of `name` goes to: `destination` (default `name`), or `name`
 * inside it if it is a folder (a trailing `/` says it must be one). Refuses, before
 * anything is downloaded, a path that exists or whose folder does not.
 */
export async function chooseDestination(name: string, destination = name): Promise<string> {
  const cannot = (path: string, error: unknown) =>
    new LocalFileError(`Cannot write ${quote(path)}: ${describeError(error)}`);
  let path = destination;
  const target = await statOrUndefined(destination).catch((error) => {
    throw cannot(destination, error);
  });
  if (target?.isDirectory) path = join(destination, name);
  else if (/[\\/]$/.test(destination)) {
    throw new LocalFileError(`No such local folder ${quote(destination)}`);
  }
  const folder = dirname(path);
  const folderInfo = await statOrUndefined(folder).catch((error) => {
    throw cannot(path, error);
  });
  if (!folderInfo?.isDirectory) {
    throw new LocalFileError(`Cannot write ${quote(path)}: no such local folder ${quote(folder)}`);
  }
  try {
    await Deno.lstat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return path;
    throw cannot(path, error);
  }
  throw new LocalFileError(
    `${quote(path)} already exists here; give another local name: get NAME LOCAL`,
  );
}

/**
 * The temp file a download of `path` is written to: hidden, beside it (so the final
 * link stays on one file system), and of fixed length, so any name that fits fits.
 */
export function downloadTempPath(path: string): string {
  return join(dirname(path), `.ferry-download-${crypto.randomUUID()}.part`);
}

async function statOrUndefined(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** Opens a local regular file for upload; refuses missing, special and too-large files. */
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
  if (info.size > MAX_PAYLOAD) {
    throw new LocalFileError(
      `${quote(path)} is ${info.size} bytes; the protocol carries at most ${MAX_PAYLOAD} bytes`,
    );
  }
  try {
    return await Deno.open(path, { read: true });
  } catch (error) {
    throw new LocalFileError(`Cannot read ${quote(path)}: ${describeError(error)}`);
  }
}

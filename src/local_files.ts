/**
 * The client's side of the file system: where a download may go, and which local
 * files may be uploaded. Checked before anything is sent, so a local mistake never
 * costs a transfer.
 *
 * @module
 */

import { join } from "node:path";
import { LocalFileError } from "./errors.ts";
import { describeError, quote } from "./text.ts";
import { MAX_PAYLOAD } from "./wire.ts";

/**
 * The path a download of `name` goes to: `destination` (default `name`), or `name`
 * inside it if it is a folder. Refuses a path that already exists.
 */
export async function chooseDestination(name: string, destination = name): Promise<string> {
  let path = destination;
  try {
    if ((await Deno.stat(path)).isDirectory) path = join(path, name);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  try {
    await Deno.lstat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return path;
    throw new LocalFileError(`Cannot write ${quote(path)}: ${describeError(error)}`);
  }
  throw new LocalFileError(
    `${quote(path)} already exists here; give another local name: get NAME LOCAL`,
  );
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

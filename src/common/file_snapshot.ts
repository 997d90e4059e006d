/**
 * Noticing that an open file changed: its size, modification and change times, and
 * its identity (device and inode), taken when it was opened and compared again while
 * and after it is read. A file rewritten in place (`cp new old`, `cat > old`) changes
 * its times and often its size; one replaced by a rename keeps the open file as it
 * was, which is still one whole version, so that is no change here: its link count
 * drops, which moves its change time and nothing else.
 *
 * File systems keep times to the clock tick (a few milliseconds on Linux): a write in
 * the same tick as the first look, and no other, cannot be seen. SECURITY.md says so.
 *
 * @module
 */

import { FileChangedError } from "./errors.ts";
import { quote } from "./text.ts";

/** What is compared: everything that a write, or another file, would change. */
export interface FileSnapshot {
  size: number;
  mtime: number | null;
  ctime: number | null;
  dev: number;
  ino: number | null;
  nlink: number | null;
}

/** The comparable parts of `info`. */
export function snapshotOf(info: Deno.FileInfo): FileSnapshot {
  return {
    size: info.size,
    mtime: info.mtime?.getTime() ?? null,
    ctime: info.ctime?.getTime() ?? null,
    dev: info.dev,
    ino: info.ino,
    nlink: info.nlink,
  };
}

/**
 * Whether two snapshots are of the same file, unchanged. A change time that moved
 * with the link count (a rename over the file, an unlink) is no change to its bytes.
 */
export function sameSnapshot(a: FileSnapshot, b: FileSnapshot): boolean {
  return sameFile(a, b) && a.size === b.size && a.mtime === b.mtime &&
    (a.ctime === b.ctime || a.nlink !== b.nlink);
}

/** Whether two snapshots are of the same file (device and inode), changed or not. */
export function sameFile(a: FileSnapshot, b: FileSnapshot): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/**
 * One version of one file as a string (device, inode, size, both times): what a hash
 * state recorded along it (to resume a transfer, PROTOCOL.md §19) or a digest
 * remembered for it holds for while the file is unchanged. None where the file system
 * leaves a part out: a change could not be told then. See {@linkcode settledKey} for
 * a key to trust without reading the file again.
 */
export function snapshotKey(snapshot: FileSnapshot): string | undefined {
  const { dev, ino, size, mtime, ctime } = snapshot;
  if (ino === null || mtime === null || ctime === null) return undefined;
  return `${dev}:${ino}:${size}:${mtime}:${ctime}`;
}

/**
 * How coarse a change time may be. Deno reports it in whole seconds on Linux (the
 * modification time in milliseconds: measured here), so two writes in one second can
 * leave the same change time, and the modification time can be set back by anyone.
 */
export const CHANGE_TIME_TICK = 1000;

/**
 * {@linkcode snapshotKey}, for what is trusted later without reading the file (the
 * server's digest cache, hash states of files others may write): none while the
 * file's change time is within a tick of `now`. A write after that gets a later
 * change time whatever its size and modification time, so a key given here changes
 * with every write; a write in the tick of the last one could keep it (git calls such
 * an entry racy, and checks it by content).
 */
export function settledKey(snapshot: FileSnapshot, now: number = Date.now()): string | undefined {
  const { ctime } = snapshot;
  if (ctime === null || now < ctime + CHANGE_TIME_TICK) return undefined;
  return snapshotKey(snapshot);
}

/** The sentence both sides use when a file changed while it was being sent. */
export function changedMessage(name: string): string {
  return `${quote(name)} changed while it was being sent; try again`;
}

/** An open file being sent, checked against how it was when it was opened. */
export class ChangeWatch {
  #file: Deno.FsFile;
  #name: string;
  #before: FileSnapshot;

  /** Watches `file`, which looked like `before` when opened; `name` is what messages call it. */
  constructor(file: Deno.FsFile, before: FileSnapshot, name: string) {
    this.#file = file;
    this.#before = before;
    this.#name = name;
  }

  /** Starts watching `file` as it is now. */
  static async start(file: Deno.FsFile, name: string): Promise<ChangeWatch> {
    return new ChangeWatch(file, snapshotOf(await file.stat()), name);
  }

  /** The file as it was when watching began. */
  get before(): FileSnapshot {
    return this.#before;
  }

  /** Throws {@linkcode FileChangedError} if the file is no longer as it was. */
  async check(): Promise<void> {
    if (!sameSnapshot(this.#before, snapshotOf(await this.#file.stat()))) {
      throw new FileChangedError(changedMessage(this.#name));
    }
  }
}

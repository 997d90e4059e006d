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

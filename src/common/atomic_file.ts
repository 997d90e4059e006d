/**
 * A file that appears under its real name only when complete: bytes go to a temp
 * file beside the target, are flushed to disk, and are then hard-linked into place.
 * `link` refuses an existing target, so nothing is ever overwritten and of two racing
 * writers exactly one wins. Asked to replace, it renames the complete file over the
 * old one instead: a reader of the old file keeps reading the old bytes, and no one
 * sees a half-written file under the name. Used by the server's uploads and the
 * client's downloads.
 *
 * @module
 */

import { dirname } from "node:path";
import { type Digest, feedDigest } from "./digest.ts";

/** A file being written; {@linkcode commit} publishes it, disposing discards it. */
export class AtomicFile implements AsyncDisposable {
  /** Where the bytes are until {@linkcode commit}. */
  readonly tempPath: string;
  /** Where they appear on {@linkcode commit}. */
  readonly path: string;
  #file: Deno.FsFile | undefined;
  /** Whether the temp name is gone (committed or discarded): nothing is left to tidy. */
  #settled = false;

  private constructor(path: string, tempPath: string, file: Deno.FsFile) {
    this.path = path;
    this.tempPath = tempPath;
    this.#file = file;
  }

  /**
   * Creates the temp file `tempPath` (which must not exist) for the target `path`.
   * With `lock`, it is held under an exclusive advisory lock until it is settled, so
   * another process can tell a temp file in use from one a killed run left.
   */
  static async create(
    path: string,
    tempPath: string,
    { lock = false }: { lock?: boolean } = {},
  ): Promise<AtomicFile> {
    const file = await Deno.open(tempPath, { write: true, createNew: true, mode: 0o644 });
    const atomic = new AtomicFile(path, tempPath, file);
    if (lock) {
      try {
        await file.lock(true);
      } catch (error) {
        await atomic[Symbol.asyncDispose]();
        throw error;
      }
    }
    return atomic;
  }

  /**
   * Opens the temp file `tempPath` that an earlier, interrupted write left (or with
   * `create`, creates it if it is missing), to go on writing at its end: a resumed
   * transfer. `lock` as for {@linkcode create}.
   */
  static async reopen(
    path: string,
    tempPath: string,
    { lock = false, create = false }: { lock?: boolean; create?: boolean } = {},
  ): Promise<AtomicFile> {
    const file = await Deno.open(tempPath, { read: true, write: true, create, mode: 0o644 });
    const atomic = new AtomicFile(path, tempPath, file);
    try {
      if (lock && !(await file.tryLock(true))) {
        throw new Deno.errors.Busy(`${tempPath} is in use by another transfer`);
      }
      await file.seek(0, Deno.SeekMode.End);
    } catch (error) {
      atomic.#close();
      atomic.#settled = true; // Someone else's: never remove it.
      throw error;
    }
    return atomic;
  }

  /** Cuts the temp file to its first `length` bytes; writing goes on from there. */
  async truncate(length: number): Promise<void> {
    const file = this.#open("truncate");
    await file.truncate(length);
    await file.seek(length, Deno.SeekMode.Start);
  }

  /**
   * Feeds `digest` the temp file's first `length` bytes from byte `from`, then goes
   * back to its end for writing. Returns how many bytes there were to feed.
   */
  async digestRange(
    digest: Digest,
    { from, length }: { from: number; length: number },
  ): Promise<number> {
    const file = this.#open("read");
    await file.seek(from, Deno.SeekMode.Start);
    try {
      return await feedDigest(file, digest, { limit: length });
    } finally {
      await file.seek(0, Deno.SeekMode.End);
    }
  }

  /**
   * Closes the temp file and leaves it where it is, for a resumed transfer to take
   * up again: neither committed nor discarded.
   */
  release(): void {
    this.#close();
    this.#settled = true;
  }

  /** What the temp file is, as its open handle sees it. */
  stat(): Promise<Deno.FileInfo> {
    return this.#open("stat").stat();
  }

  /** Writes all of `chunk`. */
  async write(chunk: Uint8Array): Promise<void> {
    const file = this.#open("write");
    for (let offset = 0; offset < chunk.byteLength;) {
      offset += await file.write(chunk.subarray(offset));
    }
  }

  /**
   * Flushes the bytes to disk and links them under {@linkcode path}, then removes the
   * temp file. Throws `Deno.errors.AlreadyExists` if the target exists by then. With
   * `replace`, renames the file over whatever file is there (never a folder: that
   * throws `Deno.errors.IsADirectory`).
   */
  async commit(options: { replace?: boolean } = {}): Promise<void> {
    const file = this.#open("commit");
    try {
      await file.syncData();
    } finally {
      this.#close();
    }
    try {
      if (options.replace) await renameOverFile(this.tempPath, this.path);
      else await linkNoReplace(this.tempPath, this.path);
    } catch (error) {
      await this[Symbol.asyncDispose]();
      throw error;
    }
    // The file is published: failing to tidy the temp name must not report a failure.
    await this.#removeTemp().catch(() => {});
    await syncFolderOf(this.path);
  }

  /** Closes and removes the temp file, unless it was committed or discarded already. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.#close();
    await this.#removeTemp();
  }

  async #removeTemp(): Promise<void> {
    if (this.#settled) return;
    this.#settled = true;
    await Deno.remove(this.tempPath).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }

  #open(action: string): Deno.FsFile {
    if (!this.#file) throw new TypeError(`Cannot ${action} ${this.path}: the file is closed`);
    return this.#file;
  }

  #close(): void {
    this.#file?.close();
    this.#file = undefined;
  }
}

/**
 * Writes the whole of `bytes` as `path`, atomically, the way an {@linkcode AtomicFile}
 * would (a temp file `tempPath`, flushed, then linked, or with `replace` renamed, into
 * place), but synchronously: for a small file, each metadata call costs ~4 µs so
 * against ~34 µs through the thread pool, and a download of a 4 KiB file is a dozen
 * of them. The temp file needs no lock, since nothing else in this process can run
 * before it is settled. The folder is not synced: this is for downloads, where a
 * file lost to a power cut right after is fetched again, and the data flush before
 * the link still means a crash never leaves a half-written file under the name.
 */
export function writeAtomicallySync(
  path: string,
  { tempPath, bytes, replace = false }: { tempPath: string; bytes: Uint8Array; replace?: boolean },
): void {
  const file = Deno.openSync(tempPath, { write: true, createNew: true, mode: 0o644 });
  try {
    try {
      for (let offset = 0; offset < bytes.byteLength;) {
        offset += file.writeSync(bytes.subarray(offset));
      }
      file.syncDataSync();
    } finally {
      file.close();
    }
    if (replace) renameOverFileSync(tempPath, path);
    else linkNoReplaceSync(tempPath, path);
  } finally {
    try {
      Deno.removeSync(tempPath);
    } catch {
      // Renamed into place, or never made.
    }
  }
}

function renameOverFileSync(from: string, to: string): void {
  if (isFolderSync(to)) throw new Deno.errors.IsADirectory(`${to} is a folder`);
  Deno.renameSync(from, to);
}

function linkNoReplaceSync(from: string, to: string): void {
  try {
    Deno.linkSync(from, to);
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) throw error;
    if (existsSync(to)) throw new Deno.errors.AlreadyExists(`${to} exists`);
    Deno.renameSync(from, to);
  }
}

function isFolderSync(path: string): boolean {
  try {
    return Deno.lstatSync(path).isDirectory;
  } catch {
    return false;
  }
}

function existsSync(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** Renames `from` over `to`, which may be a file or missing, never a folder. */
async function renameOverFile(from: string, to: string): Promise<void> {
  const existing = await Deno.lstat(to).catch(() => undefined);
  // rename(2) would replace an empty folder with a file on some systems: never.
  if (existing?.isDirectory) throw new Deno.errors.IsADirectory(`${to} is a folder`);
  await Deno.rename(from, to);
}

/**
 * Makes `from` appear as `to` unless `to` exists. A hard link does that atomically;
 * on a file system without hard links (FAT, some network shares) fall back to a
 * checked rename, which leaves a tiny race window instead of failing outright.
 */
export async function linkNoReplace(from: string, to: string): Promise<void> {
  try {
    await Deno.link(from, to);
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) throw error;
    if (await exists(to)) throw new Deno.errors.AlreadyExists(`${to} exists`);
    await Deno.rename(from, to);
  }
}

/** Whether anything, even a dangling symlink, has the name `path`. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** Makes a new directory entry durable; not every platform can open a folder. */
async function syncFolderOf(path: string): Promise<void> {
  try {
    using handle = await Deno.open(dirname(path), { read: true });
    await handle.sync();
  } catch {
    // Best effort: Windows cannot open a directory as a file.
  }
}

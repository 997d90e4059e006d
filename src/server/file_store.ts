/**
 * The only code that touches the served folder: name checks, the path jail,
 * listings, reading, and atomic no-overwrite uploads. Knows nothing of sockets.
 *
 * An upload is written to a hidden temp file in the same folder, flushed to disk,
 * then hard-linked under its real name. `link` fails if the name exists, so two
 * racing uploads cannot both win and nothing is ever overwritten.
 *
 * @module
 */

import { join, sep as SEPARATOR } from "node:path";
import { AtomicFile } from "../common/atomic_file.ts";
import { RefusalError } from "../common/errors.ts";
import { type FileSnapshot, sameFile, snapshotOf } from "../common/file_snapshot.ts";
import { describeError, hasControlCharacter, quote } from "../common/text.ts";
import { MAX_FIELD_VALUE } from "../protocol/field.ts";
import type { ListingEntry } from "../protocol/listing.ts";
import { nameProblem } from "../protocol/names.ts";
import { lookAlikeOf } from "./look_alikes.ts";

/** Uploads in progress are named `.ferry-upload-<uuid>.part`. */
export const UPLOAD_PREFIX = ".ferry-upload-";
const UPLOAD_PATTERN =
  /^\.ferry-upload-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.part$/;

/**
 * The temp name of a new upload. Random, so racing uploads of one name never share a
 * file; a restart deletes what a crash left (see `removeStaleUploads`).
 */
function uploadTempName(): string {
  return `${UPLOAD_PREFIX}${crypto.randomUUID()}.part`;
}

/** Options for {@linkcode FileStore.open}. */
export interface FileStoreOptions {
  /** Refuse every upload. Default `false`. */
  readOnly?: boolean;
}

/** A file opened for reading, with the size it had when opened. */
export interface OpenedFile {
  file: Deno.FsFile;
  size: number;
  /** How the open file looked, to notice it changing while it is sent. */
  snapshot: FileSnapshot;
}

/** The served folder. */
export class FileStore {
  /** The folder's real path, symlinks resolved. */
  readonly root: string;
  /** Whether uploads are refused. */
  readonly readOnly: boolean;

  private constructor(root: string, readOnly: boolean) {
    this.root = root;
    this.readOnly = readOnly;
  }

  /** Opens `dir` as a store; refuses a path that is missing or not a folder. */
  static async open(dir: string, options: FileStoreOptions = {}): Promise<FileStore> {
    let root: string;
    try {
      root = await Deno.realPath(dir);
    } catch (error) {
      throw new RefusalError(`Cannot serve folder ${quote(dir)}: ${describeError(error)}`);
    }
    if (!(await Deno.stat(root)).isDirectory) {
      throw new RefusalError(`Cannot serve ${quote(dir)}: it is not a folder`);
    }
    return new FileStore(root, options.readOnly ?? false);
  }

  /** Removes the temp files of uploads a crash cut short; returns their names. */
  async removeStaleUploads(): Promise<string[]> {
    const removed: string[] = [];
    for await (const entry of Deno.readDir(this.root)) {
      if (entry.isFile && UPLOAD_PATTERN.test(entry.name)) {
        await Deno.remove(join(this.root, entry.name));
        removed.push(entry.name);
      }
    }
    return removed;
  }

  /** Lists the folder: files and folders inside the jail, uploads in progress hidden. */
  list(): Promise<ListingEntry[]> {
    return attempt("Cannot list the shared folder", () => this.#list());
  }

  async #list(): Promise<ListingEntry[]> {
    const entries: ListingEntry[] = [];
    for await (const entry of Deno.readDir(this.root)) {
      // Hidden: uploads in progress, names no client could send back (control
      // characters), and names that are not valid UTF-8 (Deno shows them with U+FFFD).
      if (
        entry.name.startsWith(UPLOAD_PREFIX) || hasControlCharacter(entry.name) ||
        entry.name.includes("\ufffd")
      ) continue;
      let { isFile, isDirectory } = entry;
      if (entry.isSymlink) {
        const target = await this.#resolve(entry.name).catch(() => undefined);
        if (!target) continue;
        ({ isFile, isDirectory } = target.info);
      }
      if (isFile || isDirectory) entries.push({ name: entry.name, isDirectory });
    }
    return entries;
  }

  /** Opens the file `name` for reading; refuses missing files, folders and escapes. */
  openForReading(name: string): Promise<OpenedFile> {
    return attempt(`Cannot read ${quote(name)}`, () => this.#openForReading(name));
  }

  async #openForReading(name: string): Promise<OpenedFile> {
    this.#checkName(name);
    // A name is one segment inside the real root, so only a symlink can lead out:
    // resolve those; anything else is what lstat says it is.
    let path = join(this.root, name);
    let info = await Deno.lstat(path).catch((error) => {
      if (error instanceof Deno.errors.NotFound) {
        throw new RefusalError(`No such file ${quote(name)}`);
      }
      throw error;
    });
    if (info.isSymlink) ({ path, info } = await this.#resolve(name));
    // Checked before opening: opening a FIFO for reading would block.
    if (!info.isFile) throw new RefusalError(`${quote(name)} is not a regular file`);
    const file = await Deno.open(path, { read: true });
    try {
      const opened = await file.stat();
      const snapshot = snapshotOf(opened);
      if (!opened.isFile) throw new RefusalError(`${quote(name)} is not a regular file`);
      // The file opened must be the one checked: a name swapped in between (for a link
      // out of the folder, say) is refused.
      if (!sameFile(snapshot, snapshotOf(info))) {
        throw new RefusalError(`${quote(name)} changed while it was being opened; try again`);
      }
      const { size } = opened;
      if (size > MAX_FIELD_VALUE) {
        throw new RefusalError(
          `${quote(name)} is ${size} bytes; the protocol carries at most ${MAX_FIELD_VALUE} bytes`,
        );
      }
      return { file, size, snapshot };
    } catch (error) {
      file.close();
      throw error;
    }
  }

  /** Refuses an upload of `name` that could not succeed: read-only, bad name, exists. */
  async checkCanCreate(name: string): Promise<void> {
    if (this.readOnly) throw new RefusalError("This server is read-only: uploads are refused");
    this.#checkName(name);
    const taken = await attempt(`Cannot store ${quote(name)}`, async () => {
      try {
        await Deno.lstat(join(this.root, name));
        return true;
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return false;
        throw error;
      }
    });
    if (taken) throw new RefusalError(`${quote(name)} already exists on the server`);
    const twin = await attempt(`Cannot store ${quote(name)}`, () => lookAlikeOf(this.root, name));
    if (twin !== undefined) {
      throw new RefusalError(
        `${quote(name)} would look the same as ${quote(twin)}, which exists on the server: ` +
          "choose another name",
      );
    }
  }

  /** Starts an upload of `name` into a hidden temp file. */
  async beginUpload(name: string): Promise<Upload> {
    await this.checkCanCreate(name);
    const tempPath = join(this.root, uploadTempName());
    const file = await attempt(
      `Cannot store ${quote(name)}`,
      () => AtomicFile.create(join(this.root, name), tempPath),
    );
    return new Upload(name, file);
  }

  /**
   * Free bytes on the folder's disk, or `undefined` where that cannot be read (a
   * platform without statfs, or no `--allow-sys=statfs` permission).
   */
  async freeSpace(): Promise<number | undefined> {
    // Asked, never requested: without the permission Deno would prompt on a terminal
    // and stall every session until someone answered.
    try {
      const { state } = await Deno.permissions.query({ name: "sys", kind: "statfs" });
      if (state !== "granted") return undefined;
      const { statfs } = await import("node:fs/promises"); // Loaded when first needed.
      const stats = await statfs(this.root);
      return stats.bavail * stats.bsize;
    } catch {
      return undefined;
    }
  }

  /**
   * Refuses to store `bytes` more if that would leave less than `keepFree` bytes
   * free on the folder's disk. Skipped where free space cannot be read; the server
   * refuses to start with a `keepFree` it could not enforce.
   */
  async checkFreeSpace(bytes: number, keepFree: number): Promise<void> {
    const available = await this.freeSpace();
    if (available !== undefined && available - bytes < keepFree) {
      const keeping = keepFree > 0 ? ` while keeping ${keepFree} bytes free` : "";
      throw new RefusalError(
        `Not enough disk space on the server for ${bytes} bytes${keeping} (${available} bytes free)`,
      );
    }
  }

  #checkName(name: string): void {
    const problem = nameProblem(name) ??
      (name.startsWith(UPLOAD_PREFIX)
        ? `File name ${quote(name)} is reserved for uploads in progress`
        : undefined);
    if (problem) throw new RefusalError(problem);
  }

  /** Resolves `name` through symlinks, refusing anything that lands outside the root. */
  async #resolve(name: string): Promise<{ path: string; info: Deno.FileInfo }> {
    let path: string;
    try {
      path = await Deno.realPath(join(this.root, name));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new RefusalError(`No such file ${quote(name)}`);
      }
      throw error;
    }
    if (!path.startsWith(this.root + SEPARATOR)) {
      throw new RefusalError(`${quote(name)} points outside the shared folder`);
    }
    return { path, info: await Deno.stat(path) };
  }
}

/** Runs a file-system call, turning its failure into a refusal the client can read. */
async function attempt<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof RefusalError) throw error;
    throw new RefusalError(`${action}: ${describeError(error)}`, { cause: error });
  }
}

/**
 * One upload in progress: an {@linkcode AtomicFile} whose failures become refusals
 * the client can be told about. Disposing it without committing removes the temp file.
 */
export class Upload implements AsyncDisposable {
  readonly name: string;
  #file: AtomicFile;

  constructor(name: string, file: AtomicFile) {
    this.name = name;
    this.#file = file;
  }

  /** Writes all of `chunk` to the temp file. */
  async write(chunk: Uint8Array): Promise<void> {
    try {
      await this.#file.write(chunk);
    } catch (error) {
      throw new RefusalError(`Cannot store ${quote(this.name)}: ${describeError(error)}`, {
        cause: error,
      });
    }
  }

  /** Flushes the file to disk and publishes it under its name, refusing if taken. */
  async commit(): Promise<void> {
    try {
      await this.#file.commit();
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists) {
        throw new RefusalError(`${quote(this.name)} already exists on the server`);
      }
      throw new RefusalError(`Cannot store ${quote(this.name)}: ${describeError(error)}`, {
        cause: error,
      });
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#file[Symbol.asyncDispose]();
  }
}

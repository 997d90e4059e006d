/**
 * The only code that touches the served folder: what a command's path names, the
 * jail, listings, reading, and atomic uploads. Knows nothing of sockets.
 *
 * An upload is written to a hidden temp file in the target's folder, flushed to
 * disk, then hard-linked under its real name. `link` fails if the name exists, so two
 * racing uploads cannot both win and nothing is overwritten; a `replace` renames the
 * temp file over the old one instead, so a reader of the old file keeps reading it.
 *
 * @module
 */

import { basename, dirname, join } from "node:path";
import { AtomicFile } from "../common/atomic_file.ts";
import { RefusalError } from "../common/errors.ts";
import { type FileSnapshot, snapshotOf } from "../common/file_snapshot.ts";
import { describeError, hasControlCharacter, quote } from "../common/text.ts";
import { MAX_FIELD_VALUE } from "../protocol/field.ts";
import type { ListingEntry } from "../protocol/listing.ts";
import { formatFolder, resolvePath, type Segments } from "../protocol/paths.ts";
import {
  type CheckpointHook,
  isMissing,
  Jail,
  MOVE_PREFIX,
  type Target,
  UPLOAD_PREFIX,
} from "./jail.ts";
import { checkNotLookAlike } from "./look_alikes.ts";
import { Upload } from "./upload.ts";

export { MOVE_PREFIX, UPLOAD_PREFIX } from "./jail.ts";
export { Upload } from "./upload.ts";

/** Options for {@linkcode FileStore.open}. */
export interface FileStoreOptions {
  /** Refuse every change. Default `false` (always `true` when one file is shared). */
  readOnly?: boolean;
  /** Called between each path's check and its use. For tests of the jail; default none. */
  checkpoint?: CheckpointHook;
}

/** A file opened for reading, with the size it had when opened. */
export interface OpenedFile {
  file: Deno.FsFile;
  size: number;
  /** How the open file looked, to notice it changing while it is sent. */
  snapshot: FileSnapshot;
}

/** What a command names: a path from the root (a string), or a resolved {@linkcode Target}. */
export type Where = string | Target;

/** A folder found for listing: its real path and what it was when found. */
export interface FoundFolder {
  path: string;
  info: Deno.FileInfo;
}

/**
 * Whether a listing leaves a name out: uploads in progress, names no client could
 * send back (control characters), and names that are not valid UTF-8 (Deno shows
 * them with U+FFFD).
 */
export function isHidden(name: string): boolean {
  return isReserved(name) || hasControlCharacter(name) || name.includes("\ufffd");
}

/** Whether a name is one of ferry's own: an upload's temp file, or a move's. */
function isReserved(name: string): boolean {
  return name.startsWith(UPLOAD_PREFIX) || name.startsWith(MOVE_PREFIX);
}

/** The served folder, or the one served file. */
export class FileStore {
  /** The folder's real path, symlinks resolved (the file's folder, when one file is shared). */
  readonly root: string;
  /** Whether changes are refused. */
  readonly readOnly: boolean;
  /** The name of the one file shared, if that is what is served: nothing else is visible. */
  readonly only: string | undefined;
  /** Where every path is resolved and checked. */
  readonly jail: Jail;

  private constructor(jail: Jail, readOnly: boolean, only: string | undefined) {
    this.jail = jail;
    this.root = jail.root;
    this.readOnly = readOnly;
    this.only = only;
  }

  /** Opens `path` as a store: a folder, or one file (read-only); refuses anything else. */
  static async open(path: string, options: FileStoreOptions = {}): Promise<FileStore> {
    let real: string;
    let info: Deno.FileInfo;
    try {
      real = await Deno.realPath(path);
      info = await Deno.stat(real);
    } catch (error) {
      throw new RefusalError(`Cannot serve folder ${quote(path)}: ${describeError(error)}`);
    }
    if (info.isFile) {
      return new FileStore(new Jail(dirname(real), options.checkpoint), true, basename(real));
    }
    if (!info.isDirectory) {
      throw new RefusalError(`Cannot serve ${quote(path)}: it is not a folder or a file`);
    }
    return new FileStore(new Jail(real, options.checkpoint), options.readOnly ?? false, undefined);
  }

  /**
   * What `text` names from the folder `cwd` (the folder itself when `text` is
   * undefined). Refuses a path out of the root, a reserved name, and when one file
   * is shared, anything but it.
   */
  resolve(cwd: Segments, text?: string): Target {
    const segments = text === undefined ? [...cwd] : resolvePath(cwd, text);
    if (typeof segments === "string") throw new RefusalError(segments);
    const shown = text ?? formatFolder(cwd);
    const reserved = segments.find(isReserved);
    if (reserved !== undefined) {
      throw new RefusalError(`File name ${quote(reserved)} is reserved for uploads in progress`);
    }
    const visible = this.only === undefined || segments.length === 0 ||
      (segments.length === 1 && segments[0] === this.only);
    if (!visible) throw new RefusalError(`No such file ${quote(shown)}`);
    return { segments, shown };
  }

  /** The folder `where` names, checked to be one inside the jail. */
  async folder(where: Where): Promise<FoundFolder> {
    const target = this.#target(where);
    const path = this.jail.locate(target);
    const info = path === undefined ? undefined : await Deno.stat(path);
    if (path === undefined || !info?.isDirectory) {
      throw new RefusalError(`No such folder ${quote(target.shown)}`);
    }
    return { path, info };
  }

  /** Lists a folder: files and folders inside the jail, uploads in progress hidden. */
  list(where?: Where): Promise<ListingEntry[]> {
    const target = this.#target(where);
    const action = target.segments.length === 0
      ? "Cannot list the shared folder"
      : `Cannot list ${quote(target.shown)}`;
    return attempt(action, () => this.#list(target));
  }

  async #list(target: Target): Promise<ListingEntry[]> {
    const folder = await this.folder(target);
    await this.jail.checkpoint(folder.path);
    const entries: ListingEntry[] = [];
    for await (const entry of Deno.readDir(folder.path)) {
      if (isHidden(entry.name) || !this.#shows(target, entry.name)) continue;
      let { isFile, isDirectory } = entry;
      if (entry.isSymlink) {
        const info = await this.jail.follow(join(folder.path, entry.name));
        if (!info) continue;
        ({ isFile, isDirectory } = info);
      }
      if (isFile || isDirectory) entries.push({ name: entry.name, isDirectory });
    }
    this.jail.confirm(target, { path: folder.path, used: folder.info });
    return entries;
  }

  /** Whether a listing of `target` shows `name` (when one file is shared, only it). */
  #shows(target: Target, name: string): boolean {
    return this.only === undefined || (target.segments.length === 0 && name === this.only);
  }

  /**
   * Opens the file `where` names for reading; refuses missing files, folders, escapes,
   * and files over what the session's payloads can carry (`framed`: it agreed
   * `frames`, whose sizes go past a 10-digit field).
   */
  openForReading(where: Where, options: { framed?: boolean } = {}): Promise<OpenedFile> {
    const target = this.#target(where);
    return attempt(
      `Cannot read ${quote(target.shown)}`,
      () => this.#openForReading(target, options.framed ?? false),
    );
  }

  async #openForReading(target: Target, framed: boolean): Promise<OpenedFile> {
    const path = this.jail.locate(target);
    if (path === undefined) throw new RefusalError(`No such file ${quote(target.shown)}`);
    // Checked before opening: opening a FIFO for reading would block. Synchronous
    // metadata calls, as in the jail: a small get is mostly these.
    checkRegularFile(Deno.statSync(path), target);
    await this.jail.checkpoint(path);
    const file = Deno.openSync(path, { read: true });
    try {
      const info = file.statSync();
      checkRegularFile(info, target);
      // Opened through a folder swapped for a symlink since the check: another inode.
      this.jail.confirm(target, { path, used: info });
      if (info.size > MAX_FIELD_VALUE && !framed) {
        throw new RefusalError(
          `${quote(target.shown)} is ${info.size} bytes, more than the ${MAX_FIELD_VALUE} ` +
            `a 10-digit length field carries (ferry clients agree framed payloads, which carry more)`,
        );
      }
      return { file, size: info.size, snapshot: snapshotOf(info) };
    } catch (error) {
      file.close();
      throw error;
    }
  }

  /**
   * Refuses an upload to `where` that could not succeed: read-only, no such folder, a
   * name that exists (unless `replace`, which still never replaces a folder).
   * Returns where the file would go.
   */
  async checkCanCreate(where: Where, options: { replace?: boolean } = {}): Promise<string> {
    if (this.readOnly) throw new RefusalError("This server is read-only: uploads are refused");
    const target = this.#target(where);
    return await attempt(`Cannot store ${quote(target.shown)}`, async () => {
      const path = await this.jail.place(target);
      const existing = await lstatOrUndefined(path);
      if (existing && !options.replace) {
        throw new RefusalError(`${quote(target.shown)} already exists on the server`);
      }
      if (existing?.isDirectory) {
        throw new RefusalError(`${quote(target.shown)} is a folder, which is never replaced`);
      }
      if (!existing) await checkNotLookAlike(path, target);
      return path;
    });
  }

  /** Starts an upload to `where` into a hidden temp file beside it. */
  async beginUpload(where: Where, options: { replace?: boolean } = {}): Promise<Upload> {
    const path = await this.checkCanCreate(where, options); // Read-only first, as ever.
    const target = this.#target(where);
    await this.jail.checkpoint(path);
    const file = await attempt(
      `Cannot store ${quote(target.shown)}`,
      () => AtomicFile.create(path, join(dirname(path), Jail.scratchName())),
    );
    try {
      // Created through a folder swapped for a symlink since the check: outside.
      this.jail.confirm(target, { path: file.tempPath, used: await file.stat() });
    } catch (error) {
      await file[Symbol.asyncDispose]();
      throw error;
    }
    return new Upload(target.shown, file, options.replace ?? false);
  }

  /**
   * Takes up the kept upload in `tempPath` again for `where` (already checked with
   * {@linkcode checkCanCreate}), to go on writing at its end.
   */
  async resumeUpload(where: Where, tempPath: string): Promise<Upload> {
    const target = this.#target(where);
    const path = await this.checkCanCreate(target);
    const file = await attempt(
      `Cannot store ${quote(target.shown)}`,
      () => AtomicFile.reopen(path, tempPath),
    );
    return new Upload(target.shown, file);
  }

  /** A target as is; a path (or none, for the root) resolved from the root. */
  #target(where?: Where): Target {
    return where === undefined || typeof where === "string" ? this.resolve([], where) : where;
  }
}

function checkRegularFile(info: Deno.FileInfo, target: Target): void {
  if (info.isDirectory) throw new RefusalError(`${quote(target.shown)} is a folder, not a file`);
  if (!info.isFile) throw new RefusalError(`${quote(target.shown)} is not a regular file`);
}

/** What `path` is (not following a final symlink), or `undefined` if nothing is there. */
export async function lstatOrUndefined(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.lstat(path);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** Runs a file-system call, turning its failure into a refusal the client can read. */
export async function attempt<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof RefusalError) throw error;
    throw new RefusalError(`${action}: ${describeError(error)}`, { cause: error });
  }
}

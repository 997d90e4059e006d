/**
 * The jail: turns segments below the shared folder into real paths, and makes sure
 * nothing a command touches lies outside it, whatever symlinks sit anywhere in the
 * path (PROTOCOL.md §11.3).
 *
 * Checking a path and then using it leaves a window in which someone with access to
 * the folder could swap a folder for a symlink. So every use is checked again after
 * the fact, by identity: a file opened, created or moved is compared (device and
 * inode) with what its path resolves to inside the root afterwards. A file opened
 * through a swapped folder is another inode than the one inside, so it is refused
 * before a byte is sent; one created there is removed again. Moves go through names
 * that are random and new ({@linkcode Jail.scratchName}), so that a folder swapped
 * under a move leaves the move nothing to act on.
 *
 * @module
 */

import { basename, dirname, join, sep as SEPARATOR } from "node:path";
import { RefusalError } from "../common/errors.ts";
import { quote } from "../common/text.ts";
import type { Segments } from "../protocol/paths.ts";

/** Hidden names of uploads in progress: `.ferry-upload-<uuid>.part`. */
export const UPLOAD_PREFIX = ".ferry-upload-";

/**
 * Hidden names of entries in the middle of a rename or removal: `.ferry-move-<uuid>.part`.
 * Unlike an upload's, one a crash left behind is someone's file: reported, never deleted.
 */
export const MOVE_PREFIX = ".ferry-move-";

/** Called between a path's check and its use; tests swap folders for symlinks there. */
export type CheckpointHook = (path: string) => void | Promise<void>;

/** A place a command names: its segments below the root, and the text the client sent. */
export interface Target {
  segments: Segments;
  /** For messages: the path as the client wrote it (`.` for the root when it wrote none). */
  shown: string;
}

/** The real paths below one root. */
export class Jail {
  /** The shared folder's real path. */
  readonly root: string;
  #prefix: string;
  #checkpoint: CheckpointHook | undefined;

  constructor(root: string, checkpoint?: CheckpointHook) {
    this.root = root;
    this.#prefix = root.endsWith(SEPARATOR) ? root : root + SEPARATOR;
    this.#checkpoint = checkpoint;
  }

  /** A new random name for an upload's temp file (or a move's), hidden from listings. */
  static scratchName(kind: "upload" | "move" = "upload"): string {
    return `${kind === "upload" ? UPLOAD_PREFIX : MOVE_PREFIX}${crypto.randomUUID()}.part`;
  }

  /** Whether a real path is the root or lies inside it. */
  contains(realPath: string): boolean {
    return realPath === this.root || realPath.startsWith(this.#prefix);
  }

  /**
   * The real path of what `target` names, symlinks resolved, or `undefined` if it
   * does not exist. Refuses one that resolves outside the root; throws the file
   * system's error if the root itself is gone.
   */
  locate(target: Target): string | undefined {
    let real: string;
    try {
      // Synchronous, as the other metadata calls of a read: ~7 µs against ~53 µs
      // through the thread pool (measured here), and a small get makes six of them.
      real = Deno.realPathSync(join(this.root, ...target.segments));
    } catch (error) {
      // A root that vanished is the server's trouble, reported as it is.
      if (isMissing(error) && target.segments.length > 0) return undefined;
      throw error;
    }
    if (!this.contains(real)) throw outside(target);
    return real;
  }

  /**
   * Where a new entry for `target` goes: its folder's real path (which must exist,
   * inside the root) joined with its name. The entry itself may or may not exist.
   */
  async place(target: Target): Promise<string> {
    const { segments } = target;
    if (segments.length === 0) throw new RefusalError("The shared folder itself cannot be changed");
    const parent = { segments: segments.slice(0, -1), shown: target.shown };
    const folder = this.locate(parent);
    if (folder === undefined || !(await Deno.stat(folder)).isDirectory) {
      throw new RefusalError(`No such folder for ${quote(target.shown)}`);
    }
    return join(folder, segments[segments.length - 1]);
  }

  /** Runs the test hook, if any, at the point between a check and its use. */
  async checkpoint(path: string): Promise<void> {
    await this.#checkpoint?.(path);
  }

  /**
   * Checks, after a use, that `path` still lies inside the root and is the very
   * entry `used` describes (same device and inode): refuses `target` otherwise.
   */
  confirm(target: Target, use: { path: string; used: Deno.FileInfo }): void {
    if (!this.#is(use.path, use.used)) throw outside(target);
  }

  /**
   * What the symlink (or entry) at `path` leads to, if it resolves inside the root:
   * how a listing types a link. `undefined` for a broken or escaping one.
   */
  async follow(path: string): Promise<Deno.FileInfo | undefined> {
    try {
      const real = await Deno.realPath(path);
      return this.contains(real) ? await Deno.stat(real) : undefined;
    } catch (error) {
      if (isMissing(error) || error instanceof Deno.errors.FilesystemLoop) return undefined;
      throw error;
    }
  }

  /** Whether `path`'s folder resolves inside the root and `path` itself is `expected`. */
  #is(path: string, expected: Deno.FileInfo): boolean {
    try {
      const folder = path === this.root ? undefined : Deno.realPathSync(dirname(path));
      if (folder !== undefined && !this.contains(folder)) return false;
      const now = Deno.lstatSync(folder === undefined ? path : join(folder, basename(path)));
      return now.dev === expected.dev && now.ino === expected.ino;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }
}

/** The refusal for a path that leads out of the shared folder. */
export function outside(target: Target): RefusalError {
  return new RefusalError(`${quote(target.shown)} points outside the shared folder`);
}

/** Whether an error says the path (or a folder on the way) is not there. */
export function isMissing(error: unknown): boolean {
  return error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory;
}

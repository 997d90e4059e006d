/**
 * Local folder trees for recursive transfers: walking one to upload it (links are not
 * followed), and writing one that a server described, where every folder on the way
 * to a file is made or checked to be a real folder below the target, never a link, so
 * that no name from a server can make ferry write outside the folder asked for.
 *
 * @module
 */

import { join } from "node:path";
import { LocalFileError } from "../common/errors.ts";
import { describeError, quote } from "../common/text.ts";
import { compareCodePoints } from "../protocol/listing.ts";
import { nameProblem } from "../protocol/names.ts";

/** An entry below a local folder. */
export interface LocalEntry {
  /** Relative to the folder walked, segments joined by `/`. */
  path: string;
  type: "file" | "folder";
  size: number;
}

/** Something a walk or a plan leaves out, and why. */
export interface Refusal {
  /** The path as the user sees it. */
  shown: string;
  reason: string;
}

/** What a walk found. */
export interface LocalWalk {
  entries: LocalEntry[];
  refused: Refusal[];
}

/**
 * Everything below the folder `root`: each folder's entries in code-point order, a
 * folder always before what it holds. Links and special files are refused, not followed,
 * and so are names no server would accept.
 */
export async function walkLocal(root: string, shownAs: string): Promise<LocalWalk> {
  const entries: LocalEntry[] = [];
  const refused: Refusal[] = [];
  const pending = [""];
  for (let folder; (folder = pending.pop()) !== undefined;) {
    const names: Deno.DirEntry[] = [];
    try {
      for await (const entry of Deno.readDir(join(root, folder))) names.push(entry);
    } catch (error) {
      refused.push({
        shown: shownIn(shownAs, folder),
        reason: `cannot read: ${describeError(error)}`,
      });
      continue;
    }
    names.sort((a, b) => compareCodePoints(a.name, b.name));
    const below: string[] = [];
    for (const entry of names) {
      const path = folder === "" ? entry.name : `${folder}/${entry.name}`;
      const shown = shownIn(shownAs, path);
      const problem = nameProblem(entry.name);
      if (problem) refused.push({ shown, reason: problem });
      else if (entry.isSymlink) refused.push({ shown, reason: "a link here, not followed" });
      else if (entry.isDirectory) {
        entries.push({ path, type: "folder", size: 0 });
        below.push(path);
      } else if (entry.isFile) {
        const { size } = await Deno.lstat(join(root, path));
        entries.push({ path, type: "file", size });
      } else refused.push({ shown, reason: "not a regular file" });
    }
    pending.push(...below.reverse()); // Taken in order: the first subfolder next.
  }
  return { entries, refused };
}

function shownIn(shownAs: string, path: string): string {
  return path === "" ? shownAs : `${shownAs}/${path}`;
}

/**
 * The local folder a tree is written into. Every folder is made (or found) below the
 * root one segment at a time and checked not to be a link, once each.
 */
export class LocalTarget {
  readonly root: string;
  #checked = new Set<string>();
  #given: boolean;

  /**
   * `given`: the root is a folder the user named (the tree's contents go straight
   * into it), which may be a link like any path a user types; default: a folder
   * made for the tree, which may not.
   */
  constructor(root: string, options: { given?: boolean } = {}) {
    this.root = root;
    this.#given = options.given ?? false;
  }

  /** Makes (or checks) the root, which must be a folder (and, unless given, not a link). */
  async prepare(): Promise<void> {
    if (!this.#given) return await this.#folder(this.root, this.root);
    const info = await Deno.stat(this.root).catch((error) => {
      throw new LocalFileError(`Cannot write into ${quote(this.root)}: ${describeError(error)}`);
    });
    if (!info.isDirectory) throw new LocalFileError(`${quote(this.root)} is not a folder`);
    this.#checked.add(this.root);
  }

  /** The local path of the folder at `segments` below the root, made if missing. */
  async folder(segments: readonly string[]): Promise<string> {
    let path = this.root;
    for (const segment of segments) {
      path = join(path, segment);
      await this.#folder(path, join(...segments));
    }
    return path;
  }

  /** The local path of a file at `segments` below the root, its folders made and checked. */
  async file(segments: readonly string[]): Promise<string> {
    const folder = await this.folder(segments.slice(0, -1));
    return join(folder, segments[segments.length - 1]);
  }

  async #folder(path: string, shown: string): Promise<void> {
    if (this.#checked.has(path)) return;
    let info = await Deno.lstat(path).catch((error) => {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw cannotMake(path, error);
    });
    if (!info) {
      await Deno.mkdir(path).catch((error) => {
        if (!(error instanceof Deno.errors.AlreadyExists)) throw cannotMake(path, error);
      });
      info = await Deno.lstat(path);
    }
    if (info.isSymlink) {
      throw new LocalFileError(`${quote(shown)} is a link here: nothing is written through it`);
    }
    if (!info.isDirectory) throw new LocalFileError(`${quote(shown)} is a file here, not a folder`);
    this.#checked.add(path);
  }
}

function cannotMake(path: string, error: unknown): LocalFileError {
  return new LocalFileError(`Cannot make the folder ${quote(path)}: ${describeError(error)}`, {
    cause: error,
  });
}

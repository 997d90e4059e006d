/**
 * Folder trees for the recursive-transfer tests and the bench: writing one, and
 * reading one back as path → SHA-256, so two trees compare byte for byte.
 *
 * @module
 */

import { join } from "node:path";
import { randomBytes, sha256 } from "./helpers.ts";

/** A tree to write: relative path → contents (a string) or a size of random bytes; `null` an empty folder. */
export type TreeSpec = Record<string, string | number | null>;

/** A small tree with the awkward cases: nesting, spaces, non-ASCII, empty files and folders. */
export const AWKWARD_TREE: TreeSpec = {
  "a.txt": "alpha",
  "empty.bin": 0,
  "big.bin": 1_300_000,
  "with space/b c.txt": "spaced",
  "with space/deeper/deepest/z.bin": 70_000,
  "名前/ファイル.txt": "unicode",
  "empty folder": null,
  ".hidden": "dot",
};

/** Writes `spec` below `root` (which must exist). */
export async function writeTree(root: string, spec: TreeSpec): Promise<void> {
  for (const [path, content] of Object.entries(spec)) {
    const full = join(root, ...path.split("/"));
    if (content === null) {
      await Deno.mkdir(full, { recursive: true });
      continue;
    }
    await Deno.mkdir(join(full, ".."), { recursive: true });
    await Deno.writeFile(
      full,
      typeof content === "string" ? new TextEncoder().encode(content) : randomBytes(content),
    );
  }
}

/** Everything below `root`: each file's path → its SHA-256, each folder's path → `"folder"`. */
export async function readTree(root: string): Promise<Record<string, string>> {
  const found: Record<string, string> = {};
  const pending = [""];
  for (let folder; (folder = pending.pop()) !== undefined;) {
    for await (const entry of Deno.readDir(join(root, folder))) {
      const path = folder === "" ? entry.name : `${folder}/${entry.name}`;
      if (entry.isDirectory) {
        found[path] = "folder";
        pending.push(path);
      } else found[path] = sha256(await Deno.readFile(join(root, path)));
    }
  }
  return Object.fromEntries(Object.entries(found).sort(([a], [b]) => a < b ? -1 : 1));
}

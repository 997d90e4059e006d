/**
 * What a server finds at start-up of uploads a previous run left behind: the temp
 * files of uploads a crash cut short (removed), the entries a crash left in the middle
 * of a rename or removal (kept: they are someone's files), and the temp files kept on
 * purpose for a resume (PROTOCOL.md §19: those with a `.resume` file beside them,
 * which `KeptUploads` takes up).
 *
 * @module
 */

import { join } from "node:path";
import { MOVE_PREFIX, UPLOAD_PREFIX } from "./jail.ts";

const UPLOAD_PATTERN =
  /^\.ferry-upload-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.part$/;

/** What {@linkcode removeStaleUploads} found. */
export interface StaleUploads {
  /** Temp files removed, as paths from the root. */
  removed: string[];
  /** A crashed move's entries, left alone, as paths from the root. */
  stranded: string[];
  /** The real paths of temp files kept for a resume. */
  kept: string[];
}

/** Removes, in every folder under `root` (a real path), the temp files of cut uploads. */
export async function removeStaleUploads(root: string): Promise<StaleUploads> {
  const found: StaleUploads = { removed: [], stranded: [], kept: [] };
  const folders = [""];
  for (let folder; (folder = folders.pop()) !== undefined;) {
    const names = new Set<string>();
    for await (const entry of Deno.readDir(join(root, folder))) {
      const path = folder === "" ? entry.name : `${folder}/${entry.name}`;
      if (entry.name.startsWith(MOVE_PREFIX)) found.stranded.push(path);
      else if (entry.isDirectory) folders.push(path);
      else if (entry.isFile && entry.name.startsWith(UPLOAD_PREFIX)) names.add(entry.name);
    }
    for (const name of names) {
      const part = name.replace(/\.resume(\.new)?$/, ".part");
      // A `.resume` file whose upload is gone says nothing any more.
      if (part !== name && !names.has(part)) await Deno.remove(join(root, folder, name));
      if (!UPLOAD_PATTERN.test(name)) continue;
      const path = folder === "" ? name : `${folder}/${name}`;
      if (names.has(name.replace(/\.part$/, ".resume"))) found.kept.push(join(root, path));
      else {
        await Deno.remove(join(root, path));
        found.removed.push(path);
      }
    }
  }
  return found;
}

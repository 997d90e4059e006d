/**
 * The `list` and `tree` listings (PROTOCOL.md §13): every entry with its type, size
 * and modification time, for one folder or for everything below it. The same jail
 * and the same hidden names as `ls`; a tree lists a symlinked folder as a link and
 * does not follow it, so it never loops or leaves the root.
 *
 * @module
 */

import { join } from "node:path";
import { RefusalError } from "../common/errors.ts";
import { quote } from "../common/text.ts";
import { compareCodePoints, MAX_LISTING_BYTES } from "../protocol/listing.ts";
import { formatLongEntry, type LongEntry } from "../protocol/long_listing.ts";
import { MAX_PATH_BYTES } from "../protocol/names.ts";
import {
  attempt,
  type FileStore,
  type FoundFolder,
  isHidden,
  lstatOrUndefined,
} from "./file_store.ts";
import type { Target } from "./jail.ts";

const encoder = new TextEncoder();

/** The entries of the folder `target`, sorted by name, symlinks typed by what they lead to. */
export function listLong(store: FileStore, target: Target): Promise<LongEntry[]> {
  return attempt(`Cannot list ${quote(target.shown)}`, async () => {
    const folder = await store.folder(target);
    await store.jail.checkpoint(folder.path);
    const entries = await entriesOf(store, { folder, target, inTree: false });
    await store.jail.confirm(target, { path: folder.path, used: folder.info });
    return entries;
  });
}

/**
 * The formatted `tree` listing of everything below `target`: each folder's entries
 * sorted by name, a folder's contents right after its own line, paths relative to
 * `target`. Refuses a tree whose listing would pass the client's limit.
 */
export function tree(store: FileStore, target: Target): Promise<string> {
  return attempt(`Cannot list ${quote(target.shown)}`, async () => {
    const start = await store.folder(target);
    await store.jail.checkpoint(start.path);
    const lines: string[] = [];
    let bytes = 0;
    // Depth first, a folder's entries in reverse on the stack so they come out in order.
    const pending: { folder: FoundFolder; prefix: string; entries?: LongEntry[] }[] = [
      { folder: start, prefix: "" },
    ];
    while (pending.length > 0) {
      const top = pending[pending.length - 1];
      if (!top.entries) {
        top.entries = (await entriesOf(store, { folder: top.folder, target, inTree: true }))
          .reverse();
        await store.jail.confirm(target, { path: top.folder.path, used: top.folder.info });
      }
      const entry = top.entries.pop();
      if (!entry) {
        pending.pop();
        continue;
      }
      const path = top.prefix + entry.path;
      const line = formatLongEntry({ ...entry, path });
      bytes += encoder.encode(line).byteLength;
      if (bytes > MAX_LISTING_BYTES) {
        throw new RefusalError(
          `The tree under ${quote(target.shown)} lists over ${MAX_LISTING_BYTES} bytes: ` +
            "take its folders one at a time",
        );
      }
      lines.push(line);
      // A path the wire could not carry back is listed, but not entered.
      if (entry.type === "folder" && encoder.encode(path).byteLength < MAX_PATH_BYTES) {
        const real = join(top.folder.path, entry.path);
        pending.push({ folder: { path: real, info: await Deno.lstat(real) }, prefix: `${path}/` });
      }
    }
    return lines.join("");
  });
}

/**
 * One folder's visible entries, sorted. A symlink is typed by its target if that lies
 * inside the root, and left out otherwise; in a tree, a link to a folder stays a link.
 */
async function entriesOf(
  store: FileStore,
  { folder, target, inTree }: { folder: FoundFolder; target: Target; inTree: boolean },
): Promise<LongEntry[]> {
  const entries: LongEntry[] = [];
  const onlyOne = store.only !== undefined;
  for await (const entry of Deno.readDir(folder.path)) {
    if (isHidden(entry.name)) continue;
    if (onlyOne && (target.segments.length > 0 || entry.name !== store.only)) continue;
    const path = join(folder.path, entry.name);
    const info = entry.isSymlink ? await store.jail.follow(path) : await lstatOrUndefined(path);
    if (!info || !(info.isFile || info.isDirectory)) continue;
    const type = !info.isDirectory ? "file" : entry.isSymlink && inTree ? "link" : "folder";
    entries.push({
      path: entry.name,
      type,
      size: type === "file" ? info.size : undefined,
      modified: info.mtime?.getTime(),
    });
  }
  return entries.sort((a, b) => compareCodePoints(a.path, b.path));
}

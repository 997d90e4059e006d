/**
 * The management commands' work on the served folder: make and remove folders,
 * remove files, rename (PROTOCOL.md §12). Each refuses, in one sentence, anything it
 * cannot do whole, and never touches anything outside the jail.
 *
 * A removal or a move first renames the entry to a random hidden name in its own
 * folder (reversible, and checked afterwards to have stayed inside), and acts only on
 * that name from then on: a folder swapped for a symlink in the meantime has no entry
 * of that name, so nothing outside can be removed or replaced. A new name is taken
 * with a hard link where the entry is a file, which refuses an existing name
 * atomically; a folder is moved with a rename after checking its new name is free.
 *
 * @module
 */

import { dirname, join } from "node:path";
import { linkNoReplace } from "../common/atomic_file.ts";
import { RefusalError } from "../common/errors.ts";
import { quote } from "../common/text.ts";
import { isWithin } from "../protocol/paths.ts";
import { attempt, type FileStore, lstatOrUndefined } from "./file_store.ts";
import { Jail, type Target } from "./jail.ts";
import { checkNotLookAlike } from "./look_alikes.ts";

/** Makes the folder `target`; refuses one that exists. */
export function makeFolder(store: FileStore, target: Target): Promise<void> {
  return change(store, `Cannot make the folder ${quote(target.shown)}`, async () => {
    const path = await store.jail.place(target);
    if (await lstatOrUndefined(path)) {
      throw new RefusalError(`${quote(target.shown)} already exists on the server`);
    }
    await checkNotLookAlike(path, target);
    await store.jail.checkpoint(path);
    await Deno.mkdir(path);
    const made = await Deno.lstat(path);
    try {
      await store.jail.confirm(target, { path, used: made });
    } catch (error) {
      await Deno.remove(path).catch(() => {}); // Made through a swapped folder: undo it.
      throw error;
    }
  });
}

/** Removes the file (or symlink) `target`; refuses a folder. */
export function removeFile(store: FileStore, target: Target): Promise<void> {
  return change(store, `Cannot remove ${quote(target.shown)}`, async () => {
    const { path, info } = await existing(store, target);
    if (info.isDirectory) {
      throw new RefusalError(`${quote(target.shown)} is a folder: remove it as a folder`);
    }
    const moved = await setAside(store, path, info, target);
    await Deno.remove(moved);
  });
}

/** Removes the empty folder `target`; refuses a file, the root, and a folder with anything in it. */
export function removeFolder(store: FileStore, target: Target): Promise<void> {
  return change(store, `Cannot remove ${quote(target.shown)}`, async () => {
    const { path, info } = await existing(store, target);
    if (!info.isDirectory) throw new RefusalError(`${quote(target.shown)} is not a folder`);
    const notEmpty = () => new RefusalError(`Folder ${quote(target.shown)} is not empty`);
    for await (const _ of Deno.readDir(path)) throw notEmpty();
    const moved = await setAside(store, path, info, target);
    try {
      await Deno.remove(moved); // Not recursive: fails if something arrived meanwhile.
    } catch (error) {
      await Deno.rename(moved, path).catch(() => {});
      if ((error as { code?: string }).code === "ENOTEMPTY") throw notEmpty();
      throw error;
    }
  });
}

/**
 * Renames `from` to `to`, anywhere inside the root. Refuses an existing `to` unless
 * `replace`, and even then replaces only a file with a file.
 */
export function rename(
  store: FileStore,
  { from, to }: { from: Target; to: Target },
  options: { replace?: boolean } = {},
): Promise<void> {
  return change(store, `Cannot rename ${quote(from.shown)}`, async () => {
    const source = await existing(store, from);
    if (source.info.isDirectory && isWithin(to.segments, from.segments)) {
      throw new RefusalError(`Cannot move ${quote(from.shown)} into itself`);
    }
    const destination = await store.jail.place(to);
    const taken = await lstatOrUndefined(destination);
    if (taken && !options.replace) {
      throw new RefusalError(`${quote(to.shown)} already exists on the server`);
    }
    if (taken && (taken.isDirectory || source.info.isDirectory)) {
      throw new RefusalError(`${quote(to.shown)} exists, and only a file replaces a file`);
    }
    // A new name: not one that looks like another (the entry being renamed aside).
    if (!taken) await checkNotLookAlike(destination, to, { besides: source.path });
    const aside = await setAside(store, source.path, source.info, from);
    // Over into the destination's folder, still under a random name, and checked there.
    const staged = join(dirname(destination), Jail.scratchName("move"));
    try {
      await store.jail.checkpoint(staged);
      await Deno.rename(aside, staged);
      await store.jail.confirm(to, { path: staged, used: source.info });
    } catch (error) {
      await Deno.rename(staged, aside).catch(() => {});
      await Deno.rename(aside, source.path).catch(() => {});
      throw error;
    }
    try {
      await takeName(staged, destination, source.info, options.replace ?? false);
    } catch (error) {
      await Deno.rename(staged, source.path).catch(() => {});
      if (error instanceof Deno.errors.AlreadyExists) {
        throw new RefusalError(`${quote(to.shown)} already exists on the server`);
      }
      throw error;
    }
  });
}

/** Gives the staged entry its final name, by the means that keeps the promise made. */
async function takeName(
  staged: string,
  destination: string,
  info: Deno.FileInfo,
  replace: boolean,
): Promise<void> {
  if (replace) return await Deno.rename(staged, destination);
  if (!info.isDirectory) {
    await linkNoReplace(staged, destination);
    return await Deno.remove(staged).catch(() => {});
  }
  if (await lstatOrUndefined(destination)) throw new Deno.errors.AlreadyExists(destination);
  await Deno.rename(staged, destination);
}

/** Refuses a change on a read-only store, and turns file-system failures into refusals. */
function change(store: FileStore, action: string, work: () => Promise<void>): Promise<void> {
  if (store.readOnly) {
    return Promise.reject(new RefusalError("This server is read-only: changes are refused"));
  }
  return attempt(action, work);
}

/** What `target` is, itself (a final symlink not followed), in a folder inside the jail. */
async function existing(
  store: FileStore,
  target: Target,
): Promise<{ path: string; info: Deno.FileInfo }> {
  const path = await store.jail.place(target);
  const info = await lstatOrUndefined(path);
  if (!info) throw new RefusalError(`No such file or folder ${quote(target.shown)}`);
  return { path, info };
}

/**
 * Renames `path` to a random hidden name beside it and checks that what moved is the
 * entry `info` describes, inside the jail; moves it back and refuses otherwise.
 */
async function setAside(
  store: FileStore,
  path: string,
  info: Deno.FileInfo,
  target: Target,
): Promise<string> {
  await store.jail.checkpoint(path);
  const aside = join(dirname(path), Jail.scratchName("move"));
  await Deno.rename(path, aside);
  try {
    await store.jail.confirm(target, { path: aside, used: info });
  } catch (error) {
    await Deno.rename(aside, path).catch(() => {});
    throw error;
  }
  return aside;
}

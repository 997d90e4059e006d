/**
 * Paths inside the shared folder as lists of segments, resolved lexically: a
 * session's current folder plus a wire path (checked by `pathProblem`) gives the
 * segments it names, `..` stepping up and never above the root. Both sides use it:
 * the server to find what a command names, the client to keep track of its current
 * folder and to turn `/photos` into a path relative to it. No file system here; the
 * server's jail resolves symlinks afterwards.
 *
 * @module
 */

import { quote } from "../common/text.ts";
import { nameProblem, pathProblem } from "./names.ts";

/** A place inside the shared folder, as segments from its root: `[]` is the root. */
export type Segments = readonly string[];

/**
 * The segments `path` names from the folder `cwd`, or why it names none: the path
 * breaks the rule of `pathProblem`, or its `..` steps above the root.
 */
export function resolvePath(cwd: Segments, path: string): string[] | string {
  const problem = pathProblem(path);
  if (problem) return problem;
  const segments = [...cwd];
  for (const segment of splitPath(path)) {
    if (segment !== "..") segments.push(segment);
    else if (segments.length > 0) segments.pop();
    else return `Path ${quote(path)} leads out of the shared folder`;
  }
  return segments;
}

/** The segments of a relative path, a trailing `/` dropped: `a/b/` is `["a", "b"]`. */
export function splitPath(path: string): string[] {
  return (path.endsWith("/") ? path.slice(0, -1) : path).split("/");
}

/** A folder as the answer to `cd` and `pwd` shows it: `/`, `/photos`, `/photos/2024`. */
export function formatFolder(segments: Segments): string {
  return `/${segments.join("/")}`;
}

/** Reads a folder as {@linkcode formatFolder} writes it, or says why it is not one. */
export function parseFolder(text: string): string[] | string {
  if (!text.startsWith("/")) return `Folder ${quote(text)} does not start with /`;
  if (text === "/") return [];
  const segments = text.slice(1).split("/");
  for (const segment of segments) {
    const problem = nameProblem(segment);
    if (problem) return `Folder ${quote(text)} is not a folder path: ${problem}`;
  }
  return segments;
}

/**
 * The wire path that names `to` from the folder `from`: `../c` from `/a/b` to
 * `/a/c`. `undefined` when they are the same place, which no wire path names (`.`
 * is not allowed).
 */
export function relativePath(from: Segments, to: Segments): string | undefined {
  let common = 0;
  while (common < from.length && common < to.length && from[common] === to[common]) common++;
  const parts = [...Array(from.length - common).fill(".."), ...to.slice(common)];
  return parts.length === 0 ? undefined : parts.join("/");
}

/** Whether `inner` is `outer` or lies inside it. */
export function isWithin(inner: Segments, outer: Segments): boolean {
  return outer.length <= inner.length && outer.every((segment, i) => inner[i] === segment);
}

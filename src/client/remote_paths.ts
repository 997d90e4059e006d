/**
 * Paths on the server as a user types them, turned into what goes on the wire: a
 * plain name as the base protocol has it, or a path relative to the session's current
 * folder (which needs the `path` extension). A path from the root, `/photos/a.jpg`,
 * is rewritten relative to the current folder (`../photos/a.jpg`), so the wire only
 * ever carries relative paths (PROTOCOL.md §11). Checked here with the server's own
 * rule, so a path that leads nowhere costs no round trip.
 *
 * @module
 */

import { UsageError } from "../common/errors.ts";
import { quote } from "../common/text.ts";
import { nameProblem, pathProblem } from "../protocol/names.ts";
import { relativePath, resolvePath, type Segments } from "../protocol/paths.ts";

/** A server path, ready to send. */
export interface RemotePath {
  /** What to send; `undefined` when it names the current folder itself. */
  wire: string | undefined;
  /** Whether it is one plain name, which a base-protocol server understands. */
  plain: boolean;
  /** Where it leads, from the root. */
  segments: string[];
  /** As the user typed it, for messages. */
  typed: string;
}

/** Reads `typed` from the folder `cwd`; refuses, as a usage error, a path no server accepts. */
export function remotePath(cwd: Segments, typed: string): RemotePath {
  if (!typed.startsWith("/") && nameProblem(typed) === undefined) {
    return { wire: typed, plain: true, segments: [...cwd, typed], typed };
  }
  if (typed.startsWith("/")) {
    const rest = typed.replace(/^\/+/, "");
    const segments = rest === "" ? [] : checked(resolvePath([], rest));
    return { wire: relativePath(cwd, segments), plain: false, segments, typed };
  }
  return { wire: typed, plain: false, segments: checked(resolvePath(cwd, typed)), typed };
}

/** The wire text of a path that must name a file: never the current folder or a `/` ending. */
export function filePath(path: RemotePath): string {
  if (path.wire === undefined || path.typed.endsWith("/")) {
    throw new UsageError(`${quote(path.typed)} names a folder, not a file`);
  }
  return path.wire;
}

/** The last segment: what a download of `path` is called locally by default. */
export function baseName(path: RemotePath): string {
  const last = path.segments[path.segments.length - 1];
  if (last === undefined) throw new UsageError(`${quote(path.typed)} is the shared folder itself`);
  return last;
}

/** `folder/name` for a path that names a folder, or a bare path below the current one. */
export function joinRemote(folder: string | undefined, name: string): string {
  if (folder === undefined) return name;
  return folder.endsWith("/") ? folder + name : `${folder}/${name}`;
}

/** Refuses a wire path that breaks the rule, as the server would. */
export function checkWirePath(path: string): void {
  const problem = pathProblem(path);
  if (problem) throw new UsageError(problem);
}

function checked(segments: string[] | string): string[] {
  if (typeof segments === "string") throw new UsageError(segments);
  return segments;
}

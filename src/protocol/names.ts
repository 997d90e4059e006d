/**
 * The one rule for what a name on the wire may be. A **segment** is one file or
 * folder name; a **path** is segments joined by `/`. The base commands take a single
 * segment; extensions that reach into folders take paths, each segment checked by
 * the same rule. Client and server both apply it, with the same messages.
 *
 * @module
 */

import { hasControlCharacter, quote } from "../common/text.ts";

/** The longest name, in UTF-8 bytes, that common file systems store. */
export const MAX_NAME_BYTES = 255;

/** The longest path, in UTF-8 bytes, an extension command may carry. */
export const MAX_PATH_BYTES = 4000;

const encoder = new TextEncoder();

/**
 * Why `name` cannot be a file name on the wire, or `undefined` if it can.
 * A name is one path segment: not empty, not `.` or `..`, no `/`, `\`, NUL or other
 * control character, and at most {@linkcode MAX_NAME_BYTES} bytes of UTF-8.
 */
export function nameProblem(name: string): string | undefined {
  if (name === "") return "File name is empty";
  if (name === "." || name === "..") {
    return `File name ${quote(name)} is not allowed: it names a folder, not a file`;
  }
  if (name.includes("/") || name.includes("\\")) {
    return `File name ${quote(name)} is not allowed: it must not contain / or \\`;
  }
  return characterProblem(name, "File name");
}

/**
 * Why `path` cannot be a path on the wire, or `undefined` if it can: segments joined
 * by single `/`, no leading `/`, no `\`, each segment a name by {@linkcode nameProblem}
 * except that `..` may step up (never above the root: a server resolves that).
 * A trailing `/` is allowed (it says "a folder").
 */
export function pathProblem(path: string): string | undefined {
  if (path === "") return "Path is empty";
  if (path.startsWith("/")) return `Path ${quote(path)} is not allowed: it must be relative`;
  if (path.includes("\\")) return `Path ${quote(path)} is not allowed: it must not contain \\`;
  if (encoder.encode(path).byteLength > MAX_PATH_BYTES) {
    return `Path ${quote(path, 40)} is longer than ${MAX_PATH_BYTES} bytes`;
  }
  const segments = path.endsWith("/") ? path.slice(0, -1).split("/") : path.split("/");
  for (const segment of segments) {
    if (segment === "..") continue;
    if (segment === "" || segment === ".") {
      return `Path ${quote(path)} is not allowed: it has an empty or "." segment`;
    }
    const problem = characterProblem(segment, "Name");
    if (problem) return `${problem} (in path ${quote(path, 40)})`;
  }
  return undefined;
}

function characterProblem(name: string, what: string): string | undefined {
  if (hasControlCharacter(name)) {
    return `${what} ${quote(name)} is not allowed: it contains a control character`;
  }
  if (encoder.encode(name).byteLength > MAX_NAME_BYTES) {
    return `${what} ${quote(name, 40)} is longer than ${MAX_NAME_BYTES} bytes`;
  }
  return undefined;
}

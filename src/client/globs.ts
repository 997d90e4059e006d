/**
 * Shell-style patterns for many files at once (`get *.txt`, `put photos/*.jpg`): `*`
 * any run of characters, `?` one character, `[abc]`, `[a-z]` and `[!abc]` one of a
 * set. As in a shell, a leading `.` must be matched by a `.` in the pattern, and only
 * the last segment of a path is a pattern. A name that exists exactly as typed is
 * taken as that name, so a file called `a*b` can still be asked for by its name.
 *
 * @module
 */

/** Whether `text` holds a pattern character. */
export function hasGlob(text: string): boolean {
  return /[*?[]/.test(text);
}

/** A test for names matching `pattern` (one path segment). */
export function globMatcher(pattern: string): (name: string) => boolean {
  const regex = new RegExp(`^${globSource(pattern)}$`, "u");
  const dotted = pattern.startsWith(".");
  return (name) => (dotted || !name.startsWith(".")) && regex.test(name);
}

function globSource(pattern: string): string {
  let source = "";
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i];
    if (char === "*") source += ".*";
    else if (char === "?") source += ".";
    else if (char === "[") {
      const end = chars.indexOf("]", i + 2);
      if (end === -1) {
        source += "\\[";
        continue;
      }
      const set = chars.slice(i + 1, end);
      const negated = set[0] === "!";
      const members = (negated ? set.slice(1) : set).map((c, j, all) =>
        c === "-" && j > 0 && j < all.length - 1 ? "-" : escapeInSet(c)
      );
      source += `[${negated ? "^" : ""}${members.join("")}]`;
      i = end;
    } else source += escapeRegex(char);
  }
  return source;
}

function escapeRegex(char: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(char) ? `\\${char}` : char;
}

function escapeInSet(char: string): string {
  return /[\\\]^-]/.test(char) ? `\\${char}` : char;
}

/** Splits a path into its folder (with the `/`, or `""`) and its last segment. */
export function splitLast(path: string): { folder: string; last: string } {
  const slash = path.lastIndexOf("/");
  return slash === -1
    ? { folder: "", last: path }
    : { folder: path.slice(0, slash + 1), last: path.slice(slash + 1) };
}

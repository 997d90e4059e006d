import { assertEquals } from "../support/assert.ts";
import { globMatcher, hasGlob, splitLast } from "../../src/client/globs.ts";

Deno.test("`hasGlob()` spots pattern characters", () => {
  assertEquals(["*.txt", "a?", "[ab]", "plain.txt", "a-b"].map(hasGlob), [
    true,
    true,
    true,
    false,
    false,
  ]);
});

Deno.test("`globMatcher()` matches as a shell does", () => {
  const cases: [string, string, boolean][] = [
    ["*.txt", "notes.txt", true],
    ["*.txt", "notes.txt.bak", false],
    ["*.txt", ".hidden.txt", false],
    [".*", ".hidden", true],
    ["a?c", "abc", true],
    ["a?c", "ac", false],
    ["[ab]*", "bee", true],
    ["[!ab]*", "bee", false],
    ["[a-c]x", "bx", true],
    ["[a-c]x", "dx", false],
    ["(1).jpg", "(1).jpg", true],
    ["a+b", "aab", false],
    ["x[", "x[", true],
    ["名*", "名前.txt", true],
  ];
  for (const [pattern, name, expected] of cases) {
    assertEquals(globMatcher(pattern)(name), expected, `${pattern} ~ ${name}`);
  }
});

Deno.test("`splitLast()` parts a path into its folder and its last segment", () => {
  assertEquals(splitLast("photos/*.jpg"), { folder: "photos/", last: "*.jpg" });
  assertEquals(splitLast("*.jpg"), { folder: "", last: "*.jpg" });
});

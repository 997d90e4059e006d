import { assertEquals, assertStringIncludes } from "../support/assert.ts";
import {
  MAX_NAME_BYTES,
  MAX_PATH_BYTES,
  nameProblem,
  pathProblem,
} from "../../src/protocol/names.ts";

Deno.test("`nameProblem()` accepts ordinary, dotted, spaced and non-ASCII names", () => {
  for (
    const name of [
      "ok.txt",
      ".hidden",
      "...",
      "a b.txt",
      " leading space",
      "naïve 名前.txt",
      "emoji 😀",
      "x".repeat(MAX_NAME_BYTES),
      "é".repeat(127),
      "a\u00a0b",
      ".ferry-upload-x.part", // Reserved by the server only, not by the name rule.
    ]
  ) {
    assertEquals(nameProblem(name), undefined, JSON.stringify(name));
  }
});

Deno.test("`nameProblem()` refuses an empty name", () => {
  assertEquals(nameProblem(""), "File name is empty");
});

Deno.test("`nameProblem()` refuses `.` and `..`", () => {
  assertEquals(nameProblem("."), 'File name "." is not allowed: it names a folder, not a file');
  assertEquals(nameProblem(".."), 'File name ".." is not allowed: it names a folder, not a file');
});

Deno.test("`nameProblem()` refuses / and \\", () => {
  for (
    const [name, quoted] of [
      ["a/b", '"a/b"'],
      ["../etc/passwd", '"../etc/passwd"'],
      ["/etc/passwd", '"/etc/passwd"'],
      ["dir/", '"dir/"'],
      ["a\\b", '"a\\\\b"'],
      ["..\\x", '"..\\\\x"'],
    ]
  ) {
    assertEquals(
      nameProblem(name),
      `File name ${quoted} is not allowed: it must not contain / or \\`,
    );
  }
});

Deno.test("`nameProblem()` refuses the control characters of §5, escaped in the message", () => {
  for (
    const [character, escaped] of [
      ["\u0000", "\\u0000"],
      ["\u001b", "\\u001b"],
      ["\u001f", "\\u001f"],
      ["\n", "\\u000a"],
      ["\u007f", "\\u007f"],
      ["\u0085", "\\u0085"],
      ["\u009f", "\\u009f"],
      ["\u2028", "\\u2028"],
      ["\u2029", "\\u2029"],
    ]
  ) {
    assertEquals(
      nameProblem(`a${character}b`),
      `File name "a${escaped}b" is not allowed: it contains a control character`,
    );
  }
});

Deno.test("`nameProblem()` refuses names over 255 bytes of UTF-8, quoting 40 characters", () => {
  assertEquals(
    nameProblem("x".repeat(256)),
    `File name "${"x".repeat(40)}..." is longer than 255 bytes`,
  );
  // 128 characters, but 256 bytes.
  assertEquals(
    nameProblem("é".repeat(128)),
    `File name "${"é".repeat(40)}..." is longer than 255 bytes`,
  );
});

Deno.test("`nameProblem()` checks the rules in the order of §5", () => {
  // A folder name beats the slash rule only for exactly "." or "..".
  assertEquals(nameProblem("../"), 'File name "../" is not allowed: it must not contain / or \\');
  // The slash rule beats control characters.
  assertEquals(
    nameProblem("a/\u0001"),
    'File name "a/\\u0001" is not allowed: it must not contain / or \\',
  );
  // Control characters beat the length.
  assertEquals(
    nameProblem("\u0001" + "x".repeat(300)),
    `File name "\\u0001${"x".repeat(199)}..." is not allowed: it contains a control character`,
  );
});

Deno.test("`pathProblem()` accepts relative paths, `..` steps and a trailing /", () => {
  for (
    const path of [
      "a",
      "a/b/c.txt",
      "folder/",
      "a/../b",
      "..",
      "../../x",
      "with space/naïve.txt",
      "a/".repeat(MAX_PATH_BYTES / 2),
    ]
  ) {
    assertEquals(pathProblem(path), undefined, JSON.stringify(path));
  }
});

Deno.test("`pathProblem()` refuses an empty path", () => {
  assertEquals(pathProblem(""), "Path is empty");
});

Deno.test("`pathProblem()` refuses a leading /", () => {
  assertEquals(
    pathProblem("/etc/passwd"),
    'Path "/etc/passwd" is not allowed: it must be relative',
  );
  assertEquals(pathProblem("/"), 'Path "/" is not allowed: it must be relative');
});

Deno.test("`pathProblem()` refuses a backslash", () => {
  assertEquals(pathProblem("a\\b"), 'Path "a\\\\b" is not allowed: it must not contain \\');
});

Deno.test("`pathProblem()` refuses empty and `.` segments", () => {
  for (const path of ["a//b", "a//", "./a", "a/./b", "."]) {
    assertEquals(
      pathProblem(path),
      `Path "${path}" is not allowed: it has an empty or "." segment`,
    );
  }
});

Deno.test("`pathProblem()` refuses a segment with a control character", () => {
  assertEquals(
    pathProblem("dir/a\u0001b"),
    'Name "a\\u0001b" is not allowed: it contains a control character (in path "dir/a\\u0001b")',
  );
});

Deno.test("`pathProblem()` refuses a segment over 255 bytes", () => {
  const segment = "y".repeat(256);
  assertEquals(
    pathProblem(`dir/${segment}`),
    `Name "${"y".repeat(40)}..." is longer than 255 bytes (in path "dir/${"y".repeat(36)}...")`,
  );
});

Deno.test("`pathProblem()` refuses a path over 4000 bytes", () => {
  const path = "a/".repeat(MAX_PATH_BYTES / 2) + "a";
  assertEquals(pathProblem(path), `Path "${path.slice(0, 40)}..." is longer than 4000 bytes`);
});

Deno.test("`nameProblem()` refuses bidirectional controls, which can disguise a name", () => {
  for (
    const character of ["\u061c", "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069"]
  ) {
    assertStringIncludes(nameProblem(`a${character}b`) ?? "", "control character");
  }
});

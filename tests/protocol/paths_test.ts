import { assertEquals } from "../support/assert.ts";
import {
  formatFolder,
  isWithin,
  parseFolder,
  relativePath,
  resolvePath,
  splitPath,
} from "../../src/protocol/paths.ts";

Deno.test("`resolvePath()` reads a path from the current folder, `..` stepping up", () => {
  assertEquals(resolvePath([], "a.txt"), ["a.txt"]);
  assertEquals(resolvePath(["photos"], "2024/a.jpg"), ["photos", "2024", "a.jpg"]);
  assertEquals(resolvePath(["photos", "2024"], "../2023/b.jpg"), ["photos", "2023", "b.jpg"]);
  assertEquals(resolvePath(["photos"], ".."), []);
  assertEquals(resolvePath(["a"], "b/"), ["a", "b"], "a trailing / names a folder");
  assertEquals(resolvePath(["a"], "b/../c"), ["a", "c"]);
});

Deno.test("`resolvePath()` never steps above the root", () => {
  assertEquals(resolvePath([], ".."), 'Path ".." leads out of the shared folder');
  assertEquals(
    resolvePath(["a"], "../../etc/passwd"),
    'Path "../../etc/passwd" leads out of the shared folder',
  );
  assertEquals(
    resolvePath(["a"], "b/../../.."),
    'Path "b/../../.." leads out of the shared folder',
  );
});

Deno.test("`resolvePath()` refuses what `pathProblem()` refuses, with its message", () => {
  assertEquals(resolvePath([], "/etc"), 'Path "/etc" is not allowed: it must be relative');
  assertEquals(
    resolvePath([], "a//b"),
    'Path "a//b" is not allowed: it has an empty or "." segment',
  );
  assertEquals(
    resolvePath([], "a/./b"),
    'Path "a/./b" is not allowed: it has an empty or "." segment',
  );
  assertEquals(resolvePath([], "a\\b"), 'Path "a\\\\b" is not allowed: it must not contain \\');
  assertEquals(resolvePath([], ""), "Path is empty");
});

Deno.test("`splitPath()` drops one trailing /", () => {
  assertEquals(splitPath("a/b/"), ["a", "b"]);
  assertEquals(splitPath("a"), ["a"]);
});

Deno.test("`formatFolder()` and `parseFolder()` are inverses", () => {
  for (const segments of [[], ["photos"], ["a b", "名前", "c"]]) {
    assertEquals(parseFolder(formatFolder(segments)), segments);
  }
  assertEquals(formatFolder(["photos", "2024"]), "/photos/2024");
  assertEquals(formatFolder([]), "/");
});

Deno.test("`parseFolder()` refuses what is not a folder from the root", () => {
  assertEquals(parseFolder("photos"), 'Folder "photos" does not start with /');
  assertEquals(
    parseFolder("/a/../b"),
    'Folder "/a/../b" is not a folder path: File name ".." is not allowed: it names a folder, not a file',
  );
  assertEquals(parseFolder("/a//b"), 'Folder "/a//b" is not a folder path: File name is empty');
});

Deno.test("`relativePath()` names one folder from another", () => {
  assertEquals(relativePath(["a", "b"], ["a", "c"]), "../c");
  assertEquals(relativePath([], ["a", "b"]), "a/b");
  assertEquals(relativePath(["a", "b"], []), "../..");
  assertEquals(relativePath(["a"], ["a", "b", "c"]), "b/c");
  assertEquals(relativePath(["a"], ["a"]), undefined, "the same place has no wire path");
  // What it says, resolved, leads back to where it pointed.
  assertEquals(resolvePath(["x", "y"], relativePath(["x", "y"], ["z"])!), ["z"]);
});

Deno.test("`isWithin()` says whether one place is at or below another", () => {
  assertEquals(isWithin(["a", "b"], ["a"]), true);
  assertEquals(isWithin(["a"], ["a"]), true);
  assertEquals(isWithin(["ab"], ["a"]), false);
  assertEquals(isWithin([], ["a"]), false);
  assertEquals(isWithin(["a"], []), true);
});

import { assertEquals, assertThrows } from "../support/assert.ts";
import { UsageError } from "../../src/common/errors.ts";
import { baseName, filePath, joinRemote, remotePath } from "../../src/client/remote_paths.ts";

Deno.test("`remotePath()` sends a plain name as it is, which a base server understands", () => {
  assertEquals(remotePath(["a"], "f.txt"), {
    wire: "f.txt",
    plain: true,
    segments: ["a", "f.txt"],
    typed: "f.txt",
  });
});

Deno.test("`remotePath()` sends paths relative to the current folder, `/...` rewritten", () => {
  assertEquals(remotePath(["a", "b"], "/a/c/f").wire, "../c/f");
  assertEquals(remotePath(["a"], "/").wire, "..");
  assertEquals(remotePath([], "/").wire, undefined, "the current folder itself");
  assertEquals(remotePath(["a"], "../x"), {
    wire: "../x",
    plain: false,
    segments: ["x"],
    typed: "../x",
  });
  assertEquals(remotePath([], "//x").segments, ["x"]);
});

Deno.test("`remotePath()` refuses, before sending, what leads out or breaks the rule", () => {
  assertThrows(() => remotePath([], "../etc"), UsageError, "leads out of the shared folder");
  assertThrows(() => remotePath(["a"], "/../x"), UsageError, "leads out");
  assertThrows(() => remotePath([], "a//b"), UsageError, "empty");
});

Deno.test("`filePath()` and `baseName()` refuse a folder where a file belongs", () => {
  assertThrows(
    () => filePath(remotePath([], "photos/")),
    UsageError,
    '"photos/" names a folder, not a file',
  );
  assertThrows(() => baseName(remotePath(["a"], "..")), UsageError, "is the shared folder itself");
  assertEquals(baseName(remotePath([], "a/b.txt")), "b.txt");
});

Deno.test("`joinRemote()` puts a name in a folder, or in the current one", () => {
  assertEquals([joinRemote("a", "b"), joinRemote("a/", "b"), joinRemote(undefined, "b")], [
    "a/b",
    "a/b",
    "b",
  ]);
});

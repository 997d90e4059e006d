import { assertEquals, assertRejects } from "../support/assert.ts";
import { LocalFileError } from "../../src/common/errors.ts";
import { LocalTarget, walkLocal } from "../../src/client/local_tree.ts";
import { namesIn, tempDir } from "../support/helpers.ts";

Deno.test("`walkLocal()` lists a folder before what it holds, and refuses links", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(dir.file("b", "c"), { recursive: true });
  await Deno.writeTextFile(dir.file("a.txt"), "12");
  await Deno.writeTextFile(dir.file("b", "c", "d.txt"), "1");
  await Deno.symlink(dir.file("a.txt"), dir.file("link"));
  await Deno.writeTextFile(dir.file("bad\nname"), "");
  const walk = await walkLocal(dir.path, "top");
  assertEquals(walk.entries.map((e) => `${e.type} ${e.path} ${e.size}`), [
    "file a.txt 2",
    "folder b 0",
    "folder b/c 0",
    "file b/c/d.txt 1",
  ]);
  assertEquals(walk.refused.map((r) => r.shown), ["top/bad\nname", "top/link"]);
  assertEquals(walk.refused[1].reason, "a link here, not followed");
});

Deno.test("`LocalTarget` makes folders as needed and never writes through a link", async () => {
  await using dir = await tempDir();
  await using elsewhere = await tempDir();
  const target = new LocalTarget(dir.file("tree"));
  await target.prepare();
  assertEquals(await target.file(["a", "b", "f.txt"]), dir.file("tree", "a", "b", "f.txt"));
  assertEquals(await namesIn(dir.file("tree", "a")), ["b"]);
  await Deno.symlink(elsewhere.path, dir.file("tree", "link"));
  await assertRejects(
    () => target.file(["link", "f.txt"]),
    LocalFileError,
    '"link" is a link here',
  );
  await Deno.writeTextFile(dir.file("tree", "file"), "");
  await assertRejects(
    () => target.folder(["file", "x"]),
    LocalFileError,
    "is a file here, not a folder",
  );
  await Deno.symlink(elsewhere.path, dir.file("linked-root"));
  await assertRejects(
    () => new LocalTarget(dir.file("linked-root")).prepare(),
    LocalFileError,
    "is a link here",
  );
  assertEquals(await namesIn(elsewhere.path), []);
});

Deno.test("`LocalTarget` takes a folder the user named as it is, a link included", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(dir.file("real"));
  await Deno.symlink(dir.file("real"), dir.file("named"));
  const target = new LocalTarget(dir.file("named"), { given: true });
  await target.prepare();
  await target.file(["a", "f.txt"]);
  assertEquals(await namesIn(dir.file("real")), ["a"]);
  await assertRejects(
    () => new LocalTarget(dir.file("missing"), { given: true }).prepare(),
    LocalFileError,
    "Cannot write into",
  );
});

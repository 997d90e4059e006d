import { assertEquals } from "../support/assert.ts";
import { FileStore, MOVE_PREFIX, UPLOAD_PREFIX } from "../../src/server/file_store.ts";
import { removeStaleUploads } from "../../src/server/stale_uploads.ts";
import { namesIn, tempDir } from "../support/helpers.ts";

Deno.test("removeStaleUploads() removes only ferry's own temp files", async () => {
  await using dir = await tempDir();
  const stale = `${UPLOAD_PREFIX}${crypto.randomUUID()}.part`;
  const lookalike = `${UPLOAD_PREFIX}mine.part`;
  for (const name of [stale, lookalike, "keep.txt"]) await Deno.writeTextFile(dir.file(name), "x");
  const store = await FileStore.open(dir.path);
  assertEquals(await removeStaleUploads(store.root), { removed: [stale], stranded: [], kept: [] });
  assertEquals(await namesIn(dir.path), [lookalike, "keep.txt"].sort());
});

Deno.test("removeStaleUploads() clears every folder, and keeps a crashed move's file", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(dir.file("a", "b"), { recursive: true });
  const stale = `${UPLOAD_PREFIX}${crypto.randomUUID()}.part`;
  await Deno.writeTextFile(dir.file("a", "b", stale), "x");
  await Deno.writeTextFile(dir.file("a", "keep.txt"), "x");
  const store = await FileStore.open(dir.path);
  const moved = `${MOVE_PREFIX}${crypto.randomUUID()}.part`;
  await Deno.writeTextFile(dir.file("a", moved), "someone's file, mid-rename");
  assertEquals(await removeStaleUploads(store.root), {
    removed: [`a/b/${stale}`],
    stranded: [`a/${moved}`],
    kept: [],
  });
  assertEquals(await namesIn(dir.file("a")), [moved, "b", "keep.txt"].sort());
  assertEquals(
    (await store.list("a")).map((e) => e.name),
    ["b", "keep.txt"],
    "hidden all the same",
  );
  assertEquals(await namesIn(dir.file("a", "b")), []);
});

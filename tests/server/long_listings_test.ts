import { assertEquals } from "../support/assert.ts";
import { parseLongListing } from "../../src/protocol/long_listing.ts";
import { FileStore } from "../../src/server/file_store.ts";
import { listLong, tree } from "../../src/server/long_listings.ts";
import { tempDir } from "../support/helpers.ts";

async function sharedTree() {
  const dir = await tempDir();
  await Deno.mkdir(dir.file("b", "c"), { recursive: true });
  await Deno.writeTextFile(dir.file("a.txt"), "12345");
  await Deno.writeTextFile(dir.file("b", "x.txt"), "x");
  await Deno.writeTextFile(dir.file("b", "c", "deep.txt"), "deep");
  await Deno.writeTextFile(
    dir.file("b", ".ferry-upload-0f9a7a3e-1111-4222-8333-444455556666.part"),
    "",
  );
  await Deno.symlink(dir.file("b"), dir.file("link-to-b"));
  await Deno.symlink(dir.file("a.txt"), dir.file("link-to-a"));
  return dir;
}

Deno.test("listLong() gives each entry's type, size and time, links typed by their target", async () => {
  await using dir = await sharedTree();
  await Deno.utime(dir.file("a.txt"), 1_700_000_000, 1_700_000_000);
  const store = await FileStore.open(dir.path);
  const entries = await listLong(store, store.resolve([], undefined));
  assertEquals(entries.map((e) => [e.path, e.type, e.size]), [
    ["a.txt", "file", 5],
    ["b", "folder", undefined],
    ["link-to-a", "file", 5],
    ["link-to-b", "folder", undefined],
  ]);
  assertEquals(entries[0].modified, 1_700_000_000_000);
});

Deno.test("tree() lists everything below a folder, each folder before its contents, links not followed", async () => {
  await using dir = await sharedTree();
  const store = await FileStore.open(dir.path);
  const entries = parseLongListing(await tree(store, store.resolve([], undefined)));
  assertEquals(entries.map((e) => `${e.type} ${e.path}`), [
    "file a.txt",
    "folder b",
    "folder b/c",
    "file b/c/deep.txt",
    "file b/x.txt",
    "file link-to-a",
    "link link-to-b",
  ]);
  const below = parseLongListing(await tree(store, store.resolve([], "b")));
  assertEquals(below.map((e) => e.path), ["c", "c/deep.txt", "x.txt"]);
});

Deno.test("tree() of an empty folder is empty", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(dir.file("empty"));
  const store = await FileStore.open(dir.path);
  assertEquals(await tree(store, store.resolve([], "empty")), "");
});

Deno.test("a store of one file lists that file alone", async () => {
  await using dir = await sharedTree();
  const store = await FileStore.open(dir.file("a.txt"));
  const root = store.resolve([], undefined);
  assertEquals((await listLong(store, root)).map((e) => e.path), ["a.txt"]);
  assertEquals(parseLongListing(await tree(store, root)).map((e) => e.path), ["a.txt"]);
});

import { assertEquals, assertRejects } from "../support/assert.ts";
import { RefusalError } from "../../src/common/errors.ts";
import { makeFolder, removeFile, removeFolder, rename } from "../../src/server/file_changes.ts";
import { FileStore } from "../../src/server/file_store.ts";
import { namesIn, tempDir } from "../support/helpers.ts";

async function store(readOnly = false) {
  const dir = await tempDir();
  await Deno.writeTextFile(dir.file("a.txt"), "a");
  await Deno.writeTextFile(dir.file("b.txt"), "b");
  await Deno.mkdir(dir.file("folder"));
  await Deno.writeTextFile(dir.file("folder", "in.txt"), "in");
  await Deno.mkdir(dir.file("empty"));
  const files = await FileStore.open(dir.path, { readOnly });
  const at = (path: string) => files.resolve([], path);
  return { dir, files, at, [Symbol.asyncDispose]: () => dir[Symbol.asyncDispose]() };
}

Deno.test("makeFolder() makes a folder, and refuses one that exists or has no parent", async () => {
  await using s = await store();
  await makeFolder(s.files, s.at("new"));
  await makeFolder(s.files, s.at("new/deeper/"));
  assertEquals((await Deno.stat(s.dir.file("new", "deeper"))).isDirectory, true);
  await assertRejects(
    () => makeFolder(s.files, s.at("a.txt")),
    RefusalError,
    '"a.txt" already exists on the server',
  );
  await assertRejects(
    () => makeFolder(s.files, s.at("no/such")),
    RefusalError,
    'No such folder for "no/such"',
  );
  await assertRejects(
    () => makeFolder(s.files, s.at("a.txt/x")),
    RefusalError,
    'No such folder for "a.txt/x"',
  );
});

Deno.test("removeFile() removes a file or a link, never a folder or what a link leads to", async () => {
  await using s = await store();
  await Deno.symlink(s.dir.file("b.txt"), s.dir.file("link"));
  await removeFile(s.files, s.at("a.txt"));
  await removeFile(s.files, s.at("link"));
  assertEquals(await namesIn(s.dir.path), ["b.txt", "empty", "folder"]);
  await assertRejects(
    () => removeFile(s.files, s.at("folder")),
    RefusalError,
    '"folder" is a folder: remove it as a folder',
  );
  await assertRejects(
    () => removeFile(s.files, s.at("gone")),
    RefusalError,
    'No such file or folder "gone"',
  );
});

Deno.test("removeFolder() removes an empty folder only, never the root", async () => {
  await using s = await store();
  await removeFolder(s.files, s.at("empty"));
  await assertRejects(
    () => removeFolder(s.files, s.at("folder")),
    RefusalError,
    'Folder "folder" is not empty',
  );
  await assertRejects(
    () => removeFolder(s.files, s.at("a.txt")),
    RefusalError,
    '"a.txt" is not a folder',
  );
  await assertRejects(
    () => removeFolder(s.files, s.at("folder/..")),
    RefusalError,
    "The shared folder itself cannot be changed",
  );
  assertEquals(await namesIn(s.dir.path), ["a.txt", "b.txt", "folder"]);
  assertEquals(await namesIn(s.dir.file("folder")), ["in.txt"], "nothing set aside is left behind");
});

Deno.test("rename() moves within the root and never over an existing name unless asked", async () => {
  await using s = await store();
  await rename(s.files, { from: s.at("a.txt"), to: s.at("folder/moved.txt") });
  await rename(s.files, { from: s.at("folder"), to: s.at("empty/folder") });
  assertEquals(await namesIn(s.dir.path), ["b.txt", "empty"]);
  assertEquals(await namesIn(s.dir.file("empty", "folder")), ["in.txt", "moved.txt"]);
  await assertRejects(
    () => rename(s.files, { from: s.at("b.txt"), to: s.at("empty/folder/in.txt") }),
    RefusalError,
    '"empty/folder/in.txt" already exists on the server',
  );
  assertEquals(await Deno.readTextFile(s.dir.file("empty", "folder", "in.txt")), "in");
  await rename(s.files, { from: s.at("b.txt"), to: s.at("empty/folder/in.txt") }, {
    replace: true,
  });
  assertEquals(await Deno.readTextFile(s.dir.file("empty", "folder", "in.txt")), "b");
  assertEquals(await namesIn(s.dir.path), ["empty"]);
});

Deno.test("rename() refuses what it cannot do whole, and leaves everything as it was", async () => {
  await using s = await store();
  const cases: [string, string, boolean, string][] = [
    ["folder", "folder/inner", false, 'Cannot move "folder" into itself'],
    ["a.txt", "folder", true, '"folder" exists, and only a file replaces a file'],
    ["empty", "b.txt", true, '"b.txt" exists, and only a file replaces a file'],
    ["gone", "x", false, 'No such file or folder "gone"'],
    ["a.txt", "no/such", false, 'No such folder for "no/such"'],
  ];
  for (const [from, to, replace, message] of cases) {
    await assertRejects(
      () => rename(s.files, { from: s.at(from), to: s.at(to) }, { replace }),
      RefusalError,
      message,
    );
  }
  assertEquals(await namesIn(s.dir.path), ["a.txt", "b.txt", "empty", "folder"]);
  assertEquals(await namesIn(s.dir.file("folder")), ["in.txt"]);
});

Deno.test("every change is refused on a read-only store", async () => {
  await using s = await store(true);
  const changes = [
    () => makeFolder(s.files, s.at("x")),
    () => removeFile(s.files, s.at("a.txt")),
    () => removeFolder(s.files, s.at("empty")),
    () => rename(s.files, { from: s.at("a.txt"), to: s.at("c.txt") }),
  ];
  for (const change of changes) {
    await assertRejects(change, RefusalError, "This server is read-only: changes are refused");
  }
  assertEquals(await namesIn(s.dir.path), ["a.txt", "b.txt", "empty", "folder"]);
});

import { assert, assertEquals, assertRejects } from "../support/assert.ts";
import { RefusalError } from "../../src/common/errors.ts";
import { FileStore, UPLOAD_PREFIX } from "../../src/server/file_store.ts";
import { namesIn, tempDir } from "../support/helpers.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("list() marks folders and hides uploads in progress", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(dir.file("b.txt"), "b");
  await Deno.mkdir(dir.file("sub"));
  const store = await FileStore.open(dir.path);
  await using _upload = await store.beginUpload("c.txt");
  assertEquals(
    (await store.list()).sort((x, y) => x.name < y.name ? -1 : 1),
    [{ name: "b.txt", isDirectory: false }, { name: "sub", isDirectory: true }],
  );
});

Deno.test("list() follows symlinks inside the folder and hides those leading out", async () => {
  await using dir = await tempDir();
  await using outside = await tempDir();
  await Deno.writeTextFile(dir.file("real.txt"), "r");
  await Deno.writeTextFile(outside.file("secret.txt"), "s");
  await Deno.symlink(dir.file("real.txt"), dir.file("inner-link"));
  await Deno.symlink(outside.file("secret.txt"), dir.file("outer-link"));
  await Deno.symlink(outside.path, dir.file("outer-folder"));
  await Deno.symlink(dir.file("gone"), dir.file("dangling"));
  const store = await FileStore.open(dir.path);
  const names = (await store.list()).map((e) => e.name).sort();
  assertEquals(names, ["inner-link", "real.txt"]);
});

Deno.test("list() leaves out names with control characters", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(dir.file("bad\nname"), "x");
  await Deno.writeTextFile(dir.file("good"), "x");
  const store = await FileStore.open(dir.path);
  assertEquals((await store.list()).map((e) => e.name), ["good"]);
});

Deno.test("openForReading() returns the file and its size", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(dir.file("naïve file.txt"), "hello");
  const store = await FileStore.open(dir.path);
  const { file, size } = await store.openForReading("naïve file.txt");
  file.close();
  assertEquals(size, 5);
});

Deno.test("openForReading() refuses missing files and folders", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(dir.file("sub"));
  const store = await FileStore.open(dir.path);
  await assertRejects(() => store.openForReading("nope"), RefusalError, 'No such file "nope"');
  await assertRejects(
    () => store.openForReading("sub"),
    RefusalError,
    '"sub" is a folder, not a file',
  );
});

Deno.test("openForReading() refuses names that are not one path segment", async () => {
  await using dir = await tempDir();
  const store = await FileStore.open(dir.path);
  for (const name of ["..", "../x", "/etc/passwd", "a\\..\\b", "", "x\0", "\x1b]0;t\x07"]) {
    await assertRejects(() => store.openForReading(name), RefusalError, undefined);
  }
});

Deno.test("openForReading() refuses a symlink that leads outside the folder", async () => {
  await using dir = await tempDir();
  await using outside = await tempDir();
  await Deno.writeTextFile(outside.file("secret"), "s");
  await Deno.symlink(outside.file("secret"), dir.file("link"));
  const store = await FileStore.open(dir.path);
  await assertRejects(() => store.openForReading("link"), RefusalError, "points outside");
});

Deno.test("openForReading() serves a folder reached through a symlink", async () => {
  await using real = await tempDir();
  await using links = await tempDir();
  await Deno.writeTextFile(real.file("a.txt"), "a");
  await Deno.symlink(real.path, links.file("shared"));
  const store = await FileStore.open(links.file("shared"));
  const { file, size } = await store.openForReading("a.txt");
  file.close();
  assertEquals(size, 1);
});

Deno.test("openForReading() refuses a FIFO without blocking on it", async () => {
  await using dir = await tempDir();
  const made = await new Deno.Command("mkfifo", { args: [dir.file("pipe")] }).output();
  assertEquals(made.success, true);
  const store = await FileStore.open(dir.path);
  await assertRejects(() => store.openForReading("pipe"), RefusalError, "not a regular file");
  assertEquals((await store.list()).length, 0);
});

Deno.test("openForReading() refuses the name of an upload in progress", async () => {
  await using dir = await tempDir();
  const store = await FileStore.open(dir.path);
  await using _upload = await store.beginUpload("x");
  const [temp] = await namesIn(dir.path);
  await assertRejects(() => store.openForReading(temp), RefusalError, "reserved");
});

Deno.test("FileStore.open() refuses a missing folder and a FIFO", async () => {
  await using dir = await tempDir();
  await new Deno.Command("mkfifo", { args: [dir.file("pipe")] }).output();
  await assertRejects(() => FileStore.open(dir.file("nope")), RefusalError, "Cannot serve folder");
  await assertRejects(
    () => FileStore.open(dir.file("pipe")),
    RefusalError,
    "not a folder or a file",
  );
});

Deno.test("FileStore.open() of a file shares that file alone, read-only", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(dir.file("report.pdf"), "the report");
  await Deno.writeTextFile(dir.file("secret.txt"), "not shared");
  await Deno.mkdir(dir.file("sub"));
  const store = await FileStore.open(dir.file("report.pdf"));
  assertEquals([store.readOnly, store.only], [true, "report.pdf"]);
  assertEquals(await store.list(), [{ name: "report.pdf", isDirectory: false }]);
  const { file, size } = await store.openForReading("report.pdf");
  file.close();
  assertEquals(size, 10);
  for (const other of ["secret.txt", "sub", "sub/x"]) {
    await assertRejects(() => store.openForReading(other), RefusalError, "No such file");
  }
  await assertRejects(() => store.beginUpload("new"), RefusalError, "read-only");
});

Deno.test("checkCanCreate() refuses existing names, dangling symlinks included", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(dir.file("there"), "");
  await Deno.symlink(dir.file("nowhere"), dir.file("dangling"));
  const store = await FileStore.open(dir.path);
  await assertRejects(() => store.checkCanCreate("there"), RefusalError, "already exists");
  await assertRejects(() => store.checkCanCreate("dangling"), RefusalError, "already exists");
  await store.checkCanCreate("new");
});

Deno.test("checkCanCreate() refuses everything on a read-only store", async () => {
  await using dir = await tempDir();
  const store = await FileStore.open(dir.path, { readOnly: true });
  await assertRejects(() => store.checkCanCreate("new"), RefusalError, "read-only");
});

Deno.test("an upload appears under its name only when committed", async () => {
  await using dir = await tempDir();
  const store = await FileStore.open(dir.path);
  {
    await using upload = await store.beginUpload("new.txt");
    await upload.write(bytes("hello "));
    await upload.write(bytes("world"));
    await assertRejects(() => store.openForReading("new.txt"), RefusalError, "No such file");
    assertEquals((await store.list()).length, 0);
    await upload.commit();
  }
  assertEquals(await Deno.readTextFile(dir.file("new.txt")), "hello world");
  assertEquals(await namesIn(dir.path), ["new.txt"]);
});

Deno.test("an upload dropped before commit leaves no file and no temp debris", async () => {
  await using dir = await tempDir();
  const store = await FileStore.open(dir.path);
  {
    await using upload = await store.beginUpload("new.txt");
    await upload.write(bytes("partial"));
  }
  assertEquals(await namesIn(dir.path), []);
});

Deno.test("of two racing uploads of one name, exactly one wins, whole", async () => {
  await using dir = await tempDir();
  const store = await FileStore.open(dir.path);
  await using first = await store.beginUpload("race");
  await using second = await store.beginUpload("race");
  await first.write(bytes("first upload"));
  await second.write(bytes("second upload"));
  const results = await Promise.allSettled([first.commit(), second.commit()]);
  assertEquals(results.filter((r) => r.status === "fulfilled").length, 1);
  const loser = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
  assertEquals(loser.reason instanceof RefusalError, true);
  assertEquals(loser.reason.message, '"race" already exists on the server');
  const stored = await Deno.readTextFile(dir.file("race"));
  assert(["first upload", "second upload"].includes(stored), stored);
  assertEquals(await namesIn(dir.path), ["race"]);
});

Deno.test("an upload never replaces a file that appeared meanwhile", async () => {
  await using dir = await tempDir();
  const store = await FileStore.open(dir.path);
  await using upload = await store.beginUpload("late");
  await upload.write(bytes("upload"));
  await Deno.writeTextFile(dir.file("late"), "original");
  await assertRejects(() => upload.commit(), RefusalError, "already exists");
  assertEquals(await Deno.readTextFile(dir.file("late")), "original");
  assertEquals(await namesIn(dir.path), ["late"]);
});

Deno.test("file-system failures become refusals with the reason, not crashes", async () => {
  // A vanished folder fails even for root, unlike a permission test.
  const dir = await tempDir();
  const store = await FileStore.open(dir.path);
  await dir[Symbol.asyncDispose]();
  await assertRejects(
    () => store.list(),
    RefusalError,
    "Cannot list the shared folder: No such file",
  );
  await assertRejects(
    () => store.beginUpload("new"),
    RefusalError,
    'Cannot store "new": No such file',
  );
  await assertRejects(() => store.openForReading("f"), RefusalError, 'No such file "f"');
});

Deno.test("an upload into a folder lands there; a replace takes the old file's place", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(dir.file("docs"));
  await Deno.writeTextFile(dir.file("docs", "report.pdf"), "old");
  const store = await FileStore.open(dir.path);
  await assertRejects(() => store.beginUpload("docs/report.pdf"), RefusalError, "already exists");
  await assertRejects(
    () => store.beginUpload("docs", { replace: true }),
    RefusalError,
    "is a folder, which is never replaced",
  );
  await assertRejects(
    () => store.beginUpload("nowhere/x"),
    RefusalError,
    'No such folder for "nowhere/x"',
  );
  {
    await using upload = await store.beginUpload(store.resolve(["docs"], "report.pdf"), {
      replace: true,
    });
    await upload.write(bytes("new"));
    assertEquals(await Deno.readTextFile(dir.file("docs", "report.pdf")), "old");
    await upload.commit();
  }
  assertEquals(await Deno.readTextFile(dir.file("docs", "report.pdf")), "new");
  assertEquals(await namesIn(dir.file("docs")), ["report.pdf"]);
});

Deno.test("resolve() refuses reserved names anywhere in a path", async () => {
  await using dir = await tempDir();
  const store = await FileStore.open(dir.path);
  const reserved = `${UPLOAD_PREFIX}x.part`;
  for (const path of [reserved, `${reserved}/a`, `a/${reserved}`]) {
    await assertRejects(
      () => store.openForReading(path),
      RefusalError,
      "reserved for uploads in progress",
    );
  }
});

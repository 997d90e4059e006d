/** Where downloads may go and which files may be uploaded, checked before any transfer. */
import { DestinationExistsError, LocalFileError } from "../../src/common/errors.ts";
import {
  checkNewFile,
  chooseDestination,
  createDownload,
  downloadTempPath,
  openLocalFile,
  removeStaleDownloads,
} from "../../src/client/local_files.ts";
import { assertEquals, assertRejects } from "../support/assert.ts";
import { namesIn, tempDir } from "../support/helpers.ts";

Deno.test("chooseDestination() puts a download into a folder it is given", async () => {
  await using local = await tempDir();
  assertEquals(await chooseDestination("f", local.path), local.file("f"));
  assertEquals(await chooseDestination("f", local.file("g")), local.file("g"));
});

Deno.test("chooseDestination() refuses a trailing / that names no folder", async () => {
  await using local = await tempDir();
  await assertRejects(
    () => chooseDestination("f", local.file("newdir") + "/"),
    LocalFileError,
    "No such local folder",
  );
});

Deno.test("checkNewFile() refuses a path that exists, without a REPL hint", async () => {
  await using local = await tempDir();
  await Deno.writeTextFile(local.file("f"), "mine");
  const error = await assertRejects(
    () => checkNewFile(local.file("f")),
    DestinationExistsError,
    "already exists here",
  );
  assertEquals(error.message.includes("get NAME LOCAL"), false, error.message);
});

Deno.test("checkNewFile() refuses a missing folder and a file used as a folder", async () => {
  await using local = await tempDir();
  await Deno.writeTextFile(local.file("plain"), "");
  await assertRejects(
    () => checkNewFile(local.file("missing", "f")),
    LocalFileError,
    "no such local folder",
  );
  await assertRejects(
    () => checkNewFile(local.file("plain", "f")),
    LocalFileError,
    "no such local folder",
  );
});

Deno.test("openLocalFile() refuses missing files and folders", async () => {
  await using local = await tempDir();
  await assertRejects(
    () => openLocalFile(local.file("nope")),
    LocalFileError,
    "No such local file",
  );
  await assertRejects(() => openLocalFile(local.path), LocalFileError, "is not a regular file");
  await Deno.writeTextFile(local.file("ok"), "x");
  using file = await openLocalFile(local.file("ok"));
  assertEquals((await file.stat()).size, 1);
});

Deno.test("removeStaleDownloads() removes temp files no download holds, and keeps the rest", async () => {
  await using local = await tempDir();
  const old = new Date(Date.now() - 60_000);
  // Under way: another download holds it locked.
  await using inUse = await createDownload(local.file("b"));
  await Deno.utime(inUse.tempPath, old, old);
  // Left by a killed run: unlocked and a minute old.
  const stale = downloadTempPath(local.file("a"));
  await Deno.writeTextFile(stale, "partial");
  await Deno.utime(stale, old, old);
  // Just made: a download may not have locked it yet.
  const fresh = downloadTempPath(local.file("c"));
  await Deno.writeTextFile(fresh, "");
  // Not a temp name of ferry's.
  await Deno.writeTextFile(local.file(".ferry-download-mine.part"), "keep");
  const removed = await removeStaleDownloads(local.path);
  assertEquals(removed, [stale.slice(local.path.length + 1)]);
  assertEquals(
    await namesIn(local.path),
    [fresh, inUse.tempPath, local.file(".ferry-download-mine.part")]
      .map((path) => path.slice(local.path.length + 1)).sort(),
  );
});

import { dirname, join } from "node:path";
import { assert, assertEquals, assertRejects } from "../support/assert.ts";
import { AtomicFile } from "../../src/common/atomic_file.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A fresh temp folder, removed with everything in it on dispose. */
async function tempDir(): Promise<AsyncDisposable & { file(name: string): string }> {
  const path = await Deno.makeTempDir({ prefix: "ferry-atomic-test-" });
  return {
    file: (name) => join(path, name),
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }),
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

async function readText(path: string): Promise<string> {
  return decoder.decode(await Deno.readFile(path));
}

async function namesIn(dir: string): Promise<string[]> {
  const names = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

Deno.test("`AtomicFile` publishes its bytes under the target name only on `commit()`", async () => {
  await using dir = await tempDir();
  const target = dir.file("report.txt");
  const temp = dir.file(".report.txt.part");
  await using file = await AtomicFile.create(target, temp);
  assertEquals([file.path, file.tempPath], [target, temp]);
  await file.write(encoder.encode("first half, "));
  await file.write(encoder.encode("second half"));
  assertEquals([await exists(target), await exists(temp)], [false, true]);
  await file.commit();
  assertEquals(await readText(target), "first half, second half");
  assertEquals(await exists(temp), false, "the temp name is tidied away");
});

Deno.test("`AtomicFile.write()` writes all of a large chunk", async () => {
  await using dir = await tempDir();
  const data = new Uint8Array(3 << 20).map((_, i) => i % 241);
  await using file = await AtomicFile.create(dir.file("big"), dir.file("big.part"));
  await file.write(data);
  await file.commit();
  assertEquals(await Deno.readFile(dir.file("big")), data);
});

Deno.test("`AtomicFile.commit()` never replaces an existing target: AlreadyExists, target intact, temp gone", async () => {
  await using dir = await tempDir();
  const target = dir.file("taken.txt");
  await Deno.writeTextFile(target, "the original");
  await using file = await AtomicFile.create(target, dir.file("taken.txt.part"));
  await file.write(encoder.encode("the newcomer"));
  await assertRejects(() => file.commit(), Deno.errors.AlreadyExists);
  assertEquals(await readText(target), "the original");
  assertEquals(await exists(file.tempPath), false);
});

Deno.test("`AtomicFile.create()` refuses a temp path that already exists", async () => {
  await using dir = await tempDir();
  const temp = dir.file("busy.part");
  await Deno.writeTextFile(temp, "someone else's upload");
  await assertRejects(() => AtomicFile.create(dir.file("busy"), temp), Deno.errors.AlreadyExists);
  assertEquals(await readText(temp), "someone else's upload");
});

Deno.test("`AtomicFile` disposed without `commit()` removes its temp file and publishes nothing", async () => {
  await using dir = await tempDir();
  const target = dir.file("abandoned");
  const temp = dir.file("abandoned.part");
  {
    await using file = await AtomicFile.create(target, temp);
    await file.write(encoder.encode("half an upload"));
  }
  assertEquals([await exists(temp), await exists(target)], [false, false]);
});

Deno.test("`AtomicFile` disposed after `commit()` does nothing: no second remove", async () => {
  await using dir = await tempDir();
  const target = dir.file("done");
  const temp = dir.file("done.part");
  const file = await AtomicFile.create(target, temp);
  await file.write(encoder.encode("complete"));
  await file.commit();
  // Another writer takes the same temp name; disposing the committed file must not touch it.
  await Deno.writeTextFile(temp, "the next upload");
  await file[Symbol.asyncDispose]();
  assertEquals([await readText(temp), await readText(target)], ["the next upload", "complete"]);
});

Deno.test("`AtomicFile` disposed twice removes its temp file only once", async () => {
  await using dir = await tempDir();
  const temp = dir.file("twice.part");
  const file = await AtomicFile.create(dir.file("twice"), temp);
  await file[Symbol.asyncDispose]();
  await Deno.writeTextFile(temp, "a new owner");
  await file[Symbol.asyncDispose]();
  assertEquals(await readText(temp), "a new owner");
});

Deno.test("`AtomicFile` disposal tolerates a temp file that is already gone", async () => {
  await using dir = await tempDir();
  const file = await AtomicFile.create(dir.file("gone"), dir.file("gone.part"));
  await Deno.remove(file.tempPath);
  await file[Symbol.asyncDispose]();
  assertEquals(await namesIn(join(file.tempPath, "..")), []);
});

Deno.test("`AtomicFile` refuses to write or commit once committed", async () => {
  await using dir = await tempDir();
  await using file = await AtomicFile.create(dir.file("closed"), dir.file("closed.part"));
  await file.commit();
  await assertRejects(() => file.write(encoder.encode("late")), TypeError, "the file is closed");
  await assertRejects(() => file.commit(), TypeError, "the file is closed");
  assertEquals(await readText(dir.file("closed")), "");
});

Deno.test("`AtomicFile` racing commits to one target: exactly one wins, the rest get AlreadyExists", async () => {
  await using dir = await tempDir();
  const target = dir.file("contested");
  const writers = 8;
  const files = await Promise.all(
    Array.from(
      { length: writers },
      (_, i) => AtomicFile.create(target, dir.file(`contested.${i}`)),
    ),
  );
  await Promise.all(files.map((file, i) => file.write(encoder.encode(`writer ${i}`))));
  const results = await Promise.allSettled(files.map((file) => file.commit()));
  await Promise.all(files.map((file) => file[Symbol.asyncDispose]()));

  const winners = results.flatMap((result, i) => result.status === "fulfilled" ? [i] : []);
  assertEquals(winners.length, 1, `winners: ${JSON.stringify(winners)}`);
  for (const result of results) {
    if (result.status === "rejected") {
      assert(
        result.reason instanceof Deno.errors.AlreadyExists,
        `a loser failed with ${result.reason}, not AlreadyExists`,
      );
    }
  }
  assertEquals(await readText(target), `writer ${winners[0]}`);
  assertEquals(await namesIn(join(target, "..")), ["contested"], "every temp file is gone");
});

Deno.test("`AtomicFile.commit({ replace })` renames the whole file over the old one", async () => {
  await using dir = await tempDir();
  const target = dir.file("report.pdf");
  await Deno.writeTextFile(target, "old version");
  // A reader with the old file open before the replace.
  using reader = await Deno.open(target, { read: true });
  const file = await AtomicFile.create(target, dir.file(".report.part"));
  await file.write(encoder.encode("new version, longer"));
  assertEquals(await readText(target), "old version", "nothing shows before commit");
  await file.commit({ replace: true });
  assertEquals(await readText(target), "new version, longer");
  assertEquals(await namesIn(dirname(target)), ["report.pdf"]);
  const old = new Uint8Array(64);
  const n = await reader.read(old);
  assertEquals(
    decoder.decode(old.subarray(0, n ?? 0)),
    "old version",
    "the reader keeps the old bytes",
  );
});

Deno.test("`AtomicFile.commit({ replace })` creates a missing target and never replaces a folder", async () => {
  await using dir = await tempDir();
  const fresh = await AtomicFile.create(dir.file("new"), dir.file(".new.part"));
  await fresh.write(encoder.encode("x"));
  await fresh.commit({ replace: true });
  assertEquals(await readText(dir.file("new")), "x");
  await Deno.mkdir(dir.file("folder"));
  const file = await AtomicFile.create(dir.file("folder"), dir.file(".folder.part"));
  await assertRejects(() => file.commit({ replace: true }), Deno.errors.IsADirectory);
  assertEquals(await exists(dir.file(".folder.part")), false, "the temp file is gone");
  assertEquals((await Deno.stat(dir.file("folder"))).isDirectory, true);
});

/** `ChangeWatch` and snapshots: a file rewritten, grown or shrunk is changed; one renamed over is not. */
import { assertEquals, assertRejects } from "../support/assert.ts";
import {
  changedMessage,
  ChangeWatch,
  sameFile,
  sameSnapshot,
  settledKey,
  snapshotKey,
  snapshotOf,
} from "../../src/common/file_snapshot.ts";
import { FileChangedError, TransferError } from "../../src/common/errors.ts";
import { tempDir } from "../support/helpers.ts";

/** Moves a file's times back a minute, so that a change now shows whatever the clock's tick. */
async function aged(path: string): Promise<string> {
  const then = new Date(Date.now() - 60_000);
  await Deno.utime(path, then, then);
  return path;
}

const CHANGES: Record<string, (path: string) => Promise<void>> = {
  "rewritten in place, same size": (path) => Deno.writeTextFile(path, "HELLO"),
  "grown": (path) => Deno.writeTextFile(path, "!", { append: true }),
  "shrunk": (path) => Deno.truncate(path, 2),
};

for (const [how, change] of Object.entries(CHANGES)) {
  Deno.test(`\`ChangeWatch.check()\` throws for a file ${how}`, async () => {
    await using dir = await tempDir();
    await Deno.writeTextFile(dir.file("f"), "hello");
    using file = await Deno.open(await aged(dir.file("f")));
    const watch = await ChangeWatch.start(file, "f");
    await watch.check();
    await change(dir.file("f"));
    const error = await assertRejects(() => watch.check(), FileChangedError, changedMessage("f"));
    assertEquals(error instanceof TransferError, true);
    assertEquals(error.message, '"f" changed while it was being sent; try again');
  });
}

Deno.test("`ChangeWatch.check()` passes for a file replaced by a rename: the open one is whole", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(dir.file("f"), "old");
  using file = await Deno.open(await aged(dir.file("f")));
  const watch = await ChangeWatch.start(file, "f");
  await Deno.writeTextFile(dir.file("f.new"), "new contents");
  await Deno.rename(dir.file("f.new"), dir.file("f"));
  await watch.check();
  assertEquals(watch.before.size, 3);
});

Deno.test("`sameFile()` tells files apart by device and inode, `sameSnapshot()` by content too", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(dir.file("a"), "a");
  await Deno.writeTextFile(dir.file("b"), "a");
  const [a, b] = [
    snapshotOf(await Deno.stat(dir.file("a"))),
    snapshotOf(await Deno.stat(dir.file("b"))),
  ];
  assertEquals([sameFile(a, a), sameFile(a, b), sameSnapshot(a, a), sameSnapshot(a, b)], [
    true,
    false,
    true,
    false,
  ]);
  assertEquals(sameSnapshot(a, { ...a, mtime: (a.mtime ?? 0) + 1 }), false);
  assertEquals(sameSnapshot(a, { ...a, ctime: (a.ctime ?? 0) + 1 }), false);
  assertEquals(sameSnapshot(a, { ...a, ctime: (a.ctime ?? 0) + 1, nlink: 0 }), true);
});

Deno.test("`snapshotKey()` names one version of one file, and none without every part", () => {
  const snapshot = { size: 3, mtime: 10, ctime: 11, dev: 1, ino: 2, nlink: 1 };
  assertEquals(snapshotKey(snapshot), "1:2:3:10:11");
  assertEquals(snapshotKey({ ...snapshot, mtime: 12 }) === snapshotKey(snapshot), false);
  assertEquals(snapshotKey({ ...snapshot, ino: null }), undefined);
  assertEquals(snapshotKey({ ...snapshot, ctime: null }), undefined);
});

Deno.test("`settledKey()` gives no key for a change time within a tick of now", () => {
  const snapshot = { size: 3, mtime: 10, ctime: 5000, dev: 1, ino: 2, nlink: 1 };
  assertEquals(settledKey(snapshot, 5999), undefined);
  assertEquals(settledKey(snapshot, 6000), snapshotKey(snapshot));
  assertEquals(settledKey({ ...snapshot, ctime: null }, 1e12), undefined);
});

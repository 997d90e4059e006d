import { assertEquals } from "../support/assert.ts";
import { tempDir } from "../support/helpers.ts";
import type { FileSnapshot } from "../../src/common/file_snapshot.ts";
import { DigestCache } from "../../src/server/digest_cache.ts";

const SNAPSHOT: FileSnapshot = { size: 5, mtime: 1000, ctime: 2000, dev: 1, ino: 42, nlink: 1 };
const HEX = "ab".repeat(16);

Deno.test("`DigestCache` answers only for the very snapshot it was told about", async () => {
  const cache = await DigestCache.open();
  assertEquals(cache.lookup(SNAPSHOT, "xxh128"), undefined);
  cache.remember(SNAPSHOT, "xxh128", HEX);
  assertEquals(cache.lookup(SNAPSHOT, "xxh128"), HEX);
  assertEquals(cache.lookup(SNAPSHOT, "sha256"), undefined, "another digest");
  for (
    const changed of [
      { size: 6 },
      { mtime: 1001 },
      { ctime: 2001 },
      { dev: 2 },
      { ino: 43 },
    ]
  ) {
    assertEquals(cache.lookup({ ...SNAPSHOT, ...changed }, "xxh128"), undefined);
  }
  // A link count on its own is no part of the key: the change time moves with it.
  assertEquals(cache.lookup({ ...SNAPSHOT, nlink: 2 }, "xxh128"), HEX);
});

Deno.test("`DigestCache` remembers no file changed within the last tick", async () => {
  const cache = await DigestCache.open({ now: () => SNAPSHOT.ctime! + 999 });
  cache.remember(SNAPSHOT, "xxh128", HEX);
  assertEquals(cache.size, 0);
  const settled = await DigestCache.open({ now: () => SNAPSHOT.ctime! + 1000 });
  settled.remember(SNAPSHOT, "xxh128", HEX);
  assertEquals(settled.lookup(SNAPSHOT, "xxh128"), HEX);
});

Deno.test("`DigestCache` remembers nothing for a file system without inodes or times", async () => {
  const cache = await DigestCache.open();
  cache.remember({ ...SNAPSHOT, ino: null }, "xxh128", HEX);
  cache.remember({ ...SNAPSHOT, ctime: null }, "xxh128", HEX);
  assertEquals(cache.size, 0);
});

Deno.test("`DigestCache` keeps at most `maxEntries`, dropping the least recently used", async () => {
  const cache = await DigestCache.open({ maxEntries: 2 });
  const file = (ino: number) => ({ ...SNAPSHOT, ino });
  cache.remember(file(1), "sha256", HEX);
  cache.remember(file(2), "sha256", HEX);
  cache.lookup(file(1), "sha256");
  cache.remember(file(3), "sha256", HEX);
  assertEquals(cache.size, 2);
  assertEquals([1, 2, 3].map((ino) => cache.lookup(file(ino), "sha256") !== undefined), [
    true,
    false,
    true,
  ]);
});

Deno.test("`DigestCache` saved to its file is there on the next open", async () => {
  await using folder = await tempDir();
  const file = folder.file("state", "digests", "root.json");
  const cache = await DigestCache.open({ file });
  cache.remember(SNAPSHOT, "sha256", "cd".repeat(32));
  await cache.save();
  const again = await DigestCache.open({ file });
  assertEquals(again.lookup(SNAPSHOT, "sha256"), "cd".repeat(32));
  assertEquals((await Deno.stat(file)).mode! & 0o777, 0o600);
  assertEquals(
    [...Deno.readDirSync(folder.file("state", "digests"))].map((e) => e.name),
    ["root.json"],
    "no temp file left",
  );
});

Deno.test("`DigestCache` starts empty from a file it cannot read as its own", async () => {
  await using folder = await tempDir();
  const bad = [
    "not json",
    JSON.stringify({ version: 2, entries: [] }),
    JSON.stringify({ version: 1, entries: [["1:42:5:1000:2000", { md5: HEX }]] }),
    JSON.stringify({ version: 1, entries: [["1:42:5:1000:2000", { sha256: "xyz" }]] }),
  ];
  for (const [i, text] of bad.entries()) {
    await Deno.writeTextFile(folder.file(`c${i}.json`), text);
    const cache = await DigestCache.open({ file: folder.file(`c${i}.json`) });
    assertEquals(cache.size, 0, text);
  }
  assertEquals((await DigestCache.open({ file: folder.file("missing.json") })).size, 0);
});

/**
 * The server's digest cache end to end: a get of a file hashed before uses the
 * cached digest (shown here with a wrong one planted, which the client then
 * catches), a changed file is a miss, uploads and reads fill it, and it outlives a
 * restart. Its clock runs ahead, so the files written here count as settled
 * (`settledKey`); a file written within the last second is never remembered.
 */
import { connect } from "../../src/client/connect.ts";
import { IntegrityError } from "../../src/common/errors.ts";
import { CHANGE_TIME_TICK, snapshotOf } from "../../src/common/file_snapshot.ts";
import { DigestCache } from "../../src/server/digest_cache.ts";
import { assertEquals, assertRejects } from "../support/assert.ts";
import { namesIn, randomBytes, sha256, tempDir, testServer, xxh128 } from "../support/helpers.ts";

/** A clock past the tick of every file written here. */
const later = () => Date.now() + 2 * CHANGE_TIME_TICK;

Deno.test("a get of a file in the cache sends the cached digest: the client still checks it", async () => {
  const digests = await DigestCache.open({ now: later });
  await using server = await testServer({ digests });
  await using local = await tempDir();
  const path = server.root.file("f.bin");
  await Deno.writeFile(path, randomBytes(10_000));
  digests.remember(snapshotOf(await Deno.stat(path)), "sha256", "00".repeat(32));
  await using client = await connect({ port: server.port });
  await assertRejects(() => client.get("f.bin", local.file("f.bin")), IntegrityError, "corrupt");
  assertEquals(await namesIn(local.path), []);
  // Written again (another size, so another snapshot whatever the clock's tick): a
  // miss, and the digest is worked out afresh.
  const bytes = randomBytes(10_001);
  await Deno.writeFile(path, bytes);
  const got = await client.get("f.bin", local.file("f.bin"));
  assertEquals([got.hex, got.verified], [sha256(bytes), true]);
  assertEquals(digests.lookup(snapshotOf(await Deno.stat(path)), "sha256"), sha256(bytes));
});

Deno.test("uploads and first reads fill the cache, in the session's digest", async () => {
  const digests = await DigestCache.open({ now: later });
  await using server = await testServer({ digests });
  await using local = await tempDir();
  const bytes = randomBytes(300_000);
  await Deno.writeFile(local.file("up.bin"), bytes);
  await Deno.writeFile(server.root.file("there.bin"), bytes);
  await using client = await connect({ port: server.port, digest: "xxh128" });
  await client.put(local.file("up.bin"));
  const stored = snapshotOf(await Deno.stat(server.root.file("up.bin")));
  assertEquals(digests.lookup(stored, "xxh128"), await xxh128(bytes));
  await client.hash("there.bin");
  const there = snapshotOf(await Deno.stat(server.root.file("there.bin")));
  assertEquals(digests.lookup(there, "xxh128"), await xxh128(bytes));
});

Deno.test("the cache is saved at shutdown and read by the next server of the folder", async () => {
  await using state = await tempDir();
  const file = state.file("digests", "root.json");
  await using local = await tempDir();
  const bytes = randomBytes(5000);
  let snapshot;
  {
    await using server = await testServer({
      digests: await DigestCache.open({ file, now: later }),
    });
    await Deno.writeFile(server.root.file("f.bin"), bytes);
    await using client = await connect({ port: server.port });
    await client.get("f.bin", local.file("f.bin"));
    snapshot = snapshotOf(await Deno.stat(server.root.file("f.bin")));
  }
  const reopened = await DigestCache.open({ file, now: later });
  assertEquals(reopened.lookup(snapshot, "sha256"), sha256(bytes));
});

Deno.test("a file rewritten in place within its second (same size, time set back) is no hit", async () => {
  await using server = await testServer(); // The server's own clock.
  await using local = await tempDir();
  const path = server.root.file("f.bin");
  await Deno.writeFile(path, randomBytes(10_000));
  await using client = await connect({ port: server.port });
  await client.get("f.bin", local.file("a"));
  const { mtime, atime } = await Deno.stat(path);
  const bytes = randomBytes(10_000);
  await Deno.writeFile(path, bytes);
  await Deno.utime(path, atime!, mtime!);
  const got = await client.get("f.bin", local.file("b"));
  assertEquals(got.hex, got.digest === "sha256" ? sha256(bytes) : await xxh128(bytes));
});

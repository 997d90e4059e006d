import { assertEquals } from "../support/assert.ts";
import { createDigest } from "../../src/common/digest.ts";
import { keptUploadId, KeptUploads, sidecarOf } from "../../src/server/kept_uploads.ts";
import { namesIn, tempDir } from "../support/helpers.ts";

/** A temp file of `bytes` bytes in `dir`, as an upload leaves it. */
async function part(dir: string, name: string, bytes: number): Promise<string> {
  const path = `${dir}/.ferry-upload-${name}.part`;
  await Deno.writeFile(path, new Uint8Array(bytes));
  return path;
}

Deno.test("`keptUploadId()` differs by key, owner and path, and never contains the key", async () => {
  const base = { key: "0f".repeat(16), owner: "plain", path: "/srv/a" };
  const ids = await Promise.all([
    keptUploadId(base),
    keptUploadId({ ...base, key: "1f".repeat(16) }),
    keptUploadId({ ...base, owner: "token:read-write" }),
    keptUploadId({ ...base, path: "/srv/b" }),
  ]);
  assertEquals(new Set(ids).size, 4);
  assertEquals(ids.some((id) => id.includes(base.key)), false);
});

Deno.test("`KeptUploads` hands a kept upload to one taker, once, and drops its `.resume` file", async () => {
  await using dir = await tempDir();
  const kept = new KeptUploads({ ttl: 60_000, space: 1000 });
  const tempPath = await part(dir.path, "a", 10);
  await kept.keep({ id: "x", tempPath, size: 20, bytes: 10 });
  assertEquals(await namesIn(dir.path), [".ferry-upload-a.part", ".ferry-upload-a.resume"]);
  assertEquals((await Deno.stat(sidecarOf(tempPath))).mode! & 0o777, 0o600);
  assertEquals((await kept.take("x"))?.bytes, 10);
  assertEquals(await kept.take("x"), undefined);
  assertEquals(await namesIn(dir.path), [".ferry-upload-a.part"]);
});

Deno.test("`KeptUploads` removes what expired when it is next looked at", async () => {
  await using dir = await tempDir();
  let now = 1_000;
  const kept = new KeptUploads({ ttl: 50, space: 1000, now: () => now });
  await kept.keep({ id: "x", tempPath: await part(dir.path, "a", 10), size: 20, bytes: 10 });
  now += 50;
  assertEquals(await kept.take("x"), undefined);
  assertEquals(await namesIn(dir.path), []);
});

Deno.test("`KeptUploads` keeps within its space: the oldest go, and one too large is never kept", async () => {
  await using dir = await tempDir();
  let now = 0;
  const kept = new KeptUploads({ ttl: 1000, space: 25, now: () => now++ });
  await kept.keep({ id: OLD, tempPath: await part(dir.path, "a", 10), size: 30, bytes: 10 });
  await kept.keep({ id: "mid", tempPath: await part(dir.path, "b", 10), size: 30, bytes: 10 });
  await kept.keep({ id: "new", tempPath: await part(dir.path, "c", 10), size: 30, bytes: 10 });
  await kept.keep({ id: "big", tempPath: await part(dir.path, "d", 26), size: 30, bytes: 26 });
  assertEquals([kept.size, kept.bytes], [2, 20]);
  assertEquals(await kept.take("old"), undefined);
  assertEquals(await namesIn(dir.path), [
    ".ferry-upload-b.part",
    ".ferry-upload-b.resume",
    ".ferry-upload-c.part",
    ".ferry-upload-c.resume",
  ]);
});

/** Ids as `keptUploadId()` makes them: 64 hex digits. */
const LIVE = "a".repeat(64);
const OLD = "b".repeat(64);

Deno.test("`KeptUploads.load()` takes up what a restarted server finds, and removes the expired", async () => {
  await using dir = await tempDir();
  const before = new KeptUploads({ ttl: 100, space: 1000, now: () => 0 });
  const digest = await createDigest("sha256");
  const live = await part(dir.path, "a", 10);
  const old = await part(dir.path, "b", 10);
  await before.keep({
    id: LIVE,
    tempPath: live,
    size: 20,
    bytes: 10,
    digest: { name: "sha256", state: digest, mtime: 1 },
  });
  const stale = new KeptUploads({ ttl: 1, space: 1000, now: () => 0 });
  await stale.keep({ id: OLD, tempPath: old, size: 20, bytes: 10 });
  await Deno.writeTextFile(sidecarOf(`${dir.path}/.ferry-upload-c.part`), "not JSON");
  const after = new KeptUploads({ ttl: 100, space: 1000, now: () => 50 });
  assertEquals(await after.load([live, old, `${dir.path}/.ferry-upload-c.part`]), 1);
  const found = await after.take(LIVE);
  assertEquals([found?.bytes, found?.size, found?.digest], [10, 20, undefined]);
  assertEquals(
    await namesIn(dir.path),
    [".ferry-upload-a.part", ".ferry-upload-c.resume"].slice(0, 1),
  );
});

Deno.test("`KeptUploads.take()` waits for an upload under way under the same id to settle", async () => {
  await using dir = await tempDir();
  const kept = new KeptUploads({ ttl: 1000, space: 1000 });
  const release = kept.claim("x");
  const taking = kept.take("x", { wait: 10_000 });
  await kept.keep({ id: "x", tempPath: await part(dir.path, "a", 5), size: 9, bytes: 5 });
  release();
  assertEquals((await taking)?.bytes, 5);
  const unsettled = kept.claim("y");
  assertEquals(await kept.take("y", { wait: 1 }), undefined, "gives up after `wait`");
  unsettled();
});

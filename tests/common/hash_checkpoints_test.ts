import { assertEquals } from "../support/assert.ts";
import { createDigest } from "../../src/common/digest.ts";
import { checkpointKey, counted, HashCheckpoints } from "../../src/common/hash_checkpoints.ts";
import { randomBytes, sha256 } from "../support/helpers.ts";

Deno.test("`HashCheckpoints.track()` records states from which the rest hashes as the whole", async () => {
  const checkpoints = new HashCheckpoints({ every: 1000 });
  const data = randomBytes(10_000);
  const digest = checkpoints.track("v1", await createDigest("sha256"));
  for (let offset = 0; offset < data.byteLength; offset += 300) {
    digest.update(data.subarray(offset, offset + 300));
  }
  assertEquals([digest.offset, digest.hex()], [10_000, sha256(data)]);
  const state = checkpoints.nearest("v1", 7_777)!;
  assertEquals(state.offset, 7_200, "the latest at or before the offset (one per 1000 fed)");
  state.digest.update(data.subarray(state.offset));
  assertEquals(state.digest.hex(), sha256(data));
  assertEquals(checkpoints.nearest("v1", 999), undefined, "none before the first");
  assertEquals(checkpoints.nearest("v2", 5_000), undefined, "another version has none");
});

Deno.test("`HashCheckpoints.nearest()` hands out copies: using one leaves the state as it was", async () => {
  const checkpoints = new HashCheckpoints();
  const digest = await createDigest("sha256");
  digest.update(new TextEncoder().encode("abc"));
  checkpoints.remember("k", { offset: 3, digest });
  checkpoints.nearest("k", 3)!.digest.update(new TextEncoder().encode("junk"));
  assertEquals(checkpoints.nearest("k", 3)!.digest.hex(), sha256(new TextEncoder().encode("abc")));
});

Deno.test("`HashCheckpoints` forgets the least recently used file past `maxFiles`", async () => {
  const checkpoints = new HashCheckpoints({ maxFiles: 2 });
  for (const key of ["a", "b"]) {
    checkpoints.remember(key, { offset: 1, digest: await createDigest("sha256") });
  }
  checkpoints.nearest("a", 1); // Used: "b" is now the oldest.
  checkpoints.remember("c", { offset: 1, digest: await createDigest("sha256") });
  assertEquals(
    ["a", "b", "c"].map((key) => checkpoints.nearest(key, 1) !== undefined),
    [true, false, true],
  );
});

Deno.test("`HashCheckpoints` thins a file's states past `maxPerFile`, keeping later ones", async () => {
  const checkpoints = new HashCheckpoints({ every: 1, maxPerFile: 4 });
  const digest = checkpoints.track("k", await createDigest("sha256"));
  for (let i = 0; i < 5; i++) digest.update(new Uint8Array([i]));
  assertEquals(checkpoints.nearest("k", 5)?.offset, 4);
  assertEquals(checkpoints.nearest("k", 1), undefined, "every other one went");
});

Deno.test("`counted()` counts from its offset and reports each offset reached", async () => {
  const seen: number[] = [];
  const digest = counted(await createDigest("sha256"), 10, (at) => seen.push(at));
  digest.update(new Uint8Array(5));
  digest.update(new Uint8Array(7));
  assertEquals([digest.offset, seen], [22, [15, 22]]);
});

Deno.test("`checkpointKey()` tells digests apart, and an unknown version records nothing", async () => {
  assertEquals(
    checkpointKey("sha256", "1:2:3:4:5") === checkpointKey("xxh128", "1:2:3:4:5"),
    false,
  );
  assertEquals(checkpointKey("xxh128", undefined), undefined);
  const checkpoints = new HashCheckpoints({ every: 1 });
  const digest = checkpoints.track(undefined, await createDigest("sha256"));
  digest.update(new TextEncoder().encode("abc"));
  assertEquals(checkpoints.nearest(undefined, 3), undefined);
});

import { createHash } from "node:crypto";
import { assertEquals, assertThrows } from "../support/assert.ts";
import { tempDir, xxh128 } from "../support/helpers.ts";
import {
  createDigest,
  DIGEST_NAMES,
  digestOf,
  isDigestName,
  NO_DIGEST,
} from "../../src/common/digest.ts";

const encoder = new TextEncoder();

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

Deno.test('`createDigest("sha256")` over chunks matches node:crypto over the whole', async () => {
  const whole = new Uint8Array(200_003).map((_, i) => (i * 31) % 256);
  const digest = await createDigest("sha256");
  for (let offset = 0; offset < whole.byteLength; offset += 65_536) {
    digest.update(whole.subarray(offset, offset + 65_536));
  }
  assertEquals(digest.hex(), sha256(whole));
});

Deno.test('`createDigest("sha256")` of nothing is the empty string\'s SHA-256', async () => {
  const digest = await createDigest("sha256");
  assertEquals(
    digest.hex(),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
});

Deno.test('`createDigest("sha256")` gives lowercase hex for a known input', async () => {
  const digest = await createDigest("sha256");
  digest.update(encoder.encode("ab"));
  digest.update(encoder.encode("c"));
  assertEquals(
    digest.hex(),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});

Deno.test("`createDigest()` hashes a chunk when given, so its memory can be reused at once", async () => {
  const digest = await createDigest("sha256");
  const buffer = encoder.encode("first");
  digest.update(buffer);
  buffer.fill(0); // The pump refills its buffers as soon as update() returns.
  assertEquals(digest.hex(), sha256(encoder.encode("first")));
});

Deno.test("`createDigest()` digests are independent of each other", async () => {
  const [a, b] = await Promise.all([createDigest("sha256"), createDigest("sha256")]);
  a.update(encoder.encode("a"));
  b.update(encoder.encode("b"));
  assertEquals([a.hex(), b.hex()], [sha256(encoder.encode("a")), sha256(encoder.encode("b"))]);
});

Deno.test("`NO_DIGEST` ignores every chunk and reports an empty string", () => {
  NO_DIGEST.update(encoder.encode("anything"));
  assertEquals([NO_DIGEST.hex(), NO_DIGEST.hex()], ["", ""]);
});

Deno.test("`NO_DIGEST` is frozen: one shared instance nobody can change", () => {
  assertEquals(Object.isFrozen(NO_DIGEST), true);
});

Deno.test('`createDigest("xxh128")` of nothing is XXH3-128\'s published empty value', async () => {
  const digest = await createDigest("xxh128");
  assertEquals(digest.hex(), "99aa06d3014798d86001c324468d497f");
});

Deno.test('`createDigest("xxh128")` over chunks matches hash-wasm\'s one-shot function', async () => {
  const whole = new Uint8Array(3_000_017).map((_, i) => (i * 131) % 251);
  const digest = await createDigest("xxh128");
  for (let offset = 0; offset < whole.byteLength; offset += 1 << 20) {
    digest.update(whole.subarray(offset, offset + (1 << 20)));
  }
  assertEquals(digest.hex(), await xxh128(whole));
});

Deno.test('`createDigest("xxh128")` digests under way at once, and reused, stay apart', async () => {
  const inputs = ["a", "bb", "ccc"].map((text) => encoder.encode(text));
  for (let round = 0; round < 3; round++) {
    const digests = await Promise.all(inputs.map(() => createDigest("xxh128")));
    digests.forEach((digest, i) => digest.update(inputs[i]));
    const hexes = digests.map((digest) => digest.hex());
    assertEquals(hexes, await Promise.all(inputs.map((input) => xxh128(input))));
  }
});

Deno.test('`createDigest("xxh128")` refuses an update once its value was taken', async () => {
  const digest = await createDigest("xxh128");
  digest.update(encoder.encode("x"));
  const hex = digest.hex();
  assertThrows(() => digest.update(encoder.encode("y")), TypeError, "has ended");
  assertEquals(digest.hex(), hex);
});

Deno.test("`digestOf()` reads a file through in the digest it is asked for", async () => {
  await using folder = await tempDir();
  const bytes = new Uint8Array(2_500_000).map((_, i) => i % 256);
  await Deno.writeFile(folder.file("f"), bytes);
  for (const name of DIGEST_NAMES) {
    using file = await Deno.open(folder.file("f"));
    const expected = name === "sha256" ? sha256(bytes) : await xxh128(bytes);
    assertEquals(await digestOf(file, { name, chunk: 65_536 }), expected);
  }
});

Deno.test("`isDigestName()` knows exactly the digests on the wire", () => {
  assertEquals(DIGEST_NAMES.filter(isDigestName), ["xxh128", "sha256"]);
  assertEquals(["md5", "SHA256", "", "toString"].filter(isDigestName), []);
});

Deno.test("`copy()` of either digest goes on apart: a prefix's value, then the whole", async () => {
  const data = new Uint8Array(300_007).map((_, i) => (i * 7) % 251);
  for (const name of DIGEST_NAMES) {
    const digest = await createDigest(name);
    digest.update(data.subarray(0, 100_000));
    const prefix = digest.copy();
    const onward = digest.copy();
    digest.update(data.subarray(100_000));
    const expected = async (bytes: Uint8Array) =>
      name === "sha256" ? sha256(bytes) : await xxh128(bytes);
    assertEquals(prefix.hex(), await expected(data.subarray(0, 100_000)), `${name} prefix`);
    // Copies (run on one shared instance for xxh128) fed in turn stay apart.
    const other = onward.copy();
    onward.update(data.subarray(100_000, 200_000));
    other.update(encoder.encode("junk"));
    onward.update(data.subarray(200_000));
    assertEquals(onward.hex(), await expected(data), `${name} copy fed the rest`);
    assertEquals(digest.hex(), await expected(data), `${name} original`);
    const junk = new Uint8Array([...data.subarray(0, 100_000), ...encoder.encode("junk")]);
    assertEquals(other.hex(), await expected(junk), `${name} copy of a copy`);
  }
});

Deno.test("`copy()` of an `xxh128` digest whose value was taken is refused", async () => {
  const digest = await createDigest("xxh128");
  digest.hex();
  assertThrows(() => digest.copy(), TypeError, "has ended");
});

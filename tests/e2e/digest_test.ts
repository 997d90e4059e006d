/**
 * The `digest` extension end to end (PROTOCOL.md §17): two ferry peers agree xxh128
 * unless asked for sha256, every frame that vouches names the agreed digest, a base
 * peer sees SHA-256 only, and a digest that does not match leaves no file.
 */
import { connect } from "../../src/client/connect.ts";
import { IntegrityError, UnsupportedError } from "../../src/common/errors.ts";
import { encodeField, encodeFrame } from "../../src/protocol/field.ts";
import { DIALECTS } from "../../src/protocol/dialects.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "../support/assert.ts";
import {
  namesIn,
  randomBytes,
  RawClient,
  sha256,
  tempDir,
  testServer,
  xxh128,
} from "../support/helpers.ts";
import { Peer } from "../support/peer.ts";
import { scriptedServer } from "../support/scripted_server.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const HELLO = "Hello, world!\n";
const HELLO_XXH128 = "c3082335d9e644a032c1b16a5ed98ffb";

Deno.test("a get in a session that agreed xxh128 ends in an xxh128 trailer, byte for byte", async () => {
  await using server = await testServer();
  await Deno.writeTextFile(server.root.file("hello.txt"), HELLO);
  using raw = await RawClient.connect(server.port);
  await raw.command("feat digest=xxh128,sha256");
  assertEquals(decoder.decode((await raw.reader.readFrame(4096))!), "ok digest=xxh128");
  await raw.command("get hello.txt");
  const { port } = await raw.reply() as { port: number };
  using data = await Peer.connect(port);
  const expected = encoder.encode(
    `0000000014${HELLO}0000000039xxh128 ${HELLO_XXH128}`,
  );
  assertEquals(await data.reader.readExact(expected.byteLength), expected);
});

Deno.test("a put and a hash in a session that agreed xxh128 are answered in xxh128", async () => {
  await using server = await testServer();
  using raw = await RawClient.connect(server.port);
  await raw.command("feat hash digest=xxh128");
  assertEquals(decoder.decode((await raw.reader.readFrame(4096))!), "ok hash digest=xxh128");
  await raw.command("put hi.txt");
  const { port } = await raw.reply() as { port: number };
  using data = await Peer.connect(port);
  await data.send(encodeFrame("hi\n"));
  await data.channel.closeWrite();
  const status = "ok xxh128 f4d0497cf9394caab34d1a3ab2bece70";
  assertEquals(decoder.decode((await data.reader.readFrame(4096))!), status);
  await raw.command("hash hi.txt");
  assertEquals(decoder.decode((await raw.reader.readFrame(4096))!), status);
});

Deno.test("a base client that never sends feat sees the base protocol's sha256 trailer", async () => {
  await using server = await testServer();
  await Deno.writeTextFile(server.root.file("hello.txt"), HELLO);
  using raw = await RawClient.connect(server.port);
  await raw.command("get hello.txt");
  const { port } = await raw.reply() as { port: number };
  using data = await Peer.connect(port);
  const trailer = `sha256 ${sha256(encoder.encode(HELLO))}`;
  const expected = encoder.encode(`0000000014${HELLO}0000000071${trailer}`);
  assertEquals(await data.reader.readExact(expected.byteLength), expected);
});

Deno.test("a ferry client agrees xxh128 by default and sha256 when asked, both ways", async () => {
  await using server = await testServer();
  await using local = await tempDir();
  const bytes = randomBytes(2_500_000);
  await Deno.writeFile(local.file("up.bin"), bytes);
  for (const asked of [undefined, "sha256", "xxh128"] as const) {
    await using client = await connect({ port: server.port, digest: asked });
    await client.features();
    const name = asked ?? "xxh128";
    const expected = name === "sha256" ? sha256(bytes) : await xxh128(bytes);
    const put = await client.put(local.file("up.bin"), `up-${name}-${asked}.bin`);
    assertEquals([put.digest, put.hex, put.verified], [name, expected, true]);
    const got = await client.get(`up-${name}-${asked}.bin`, local.file(`down-${asked}.bin`));
    assertEquals([got.digest, got.hex, got.verified], [name, expected, true]);
  }
  // A ferry client's get is a `reget` where `resume` is agreed (PROTOCOL.md §19).
  const logged = server.events.filter((e) => e.action === "reget")
    .map((e) => e.result.split(" ")[1]);
  assertEquals(logged, ["xxh128", "sha256", "xxh128"]);
});

Deno.test("--digest xxh128 is agreed at connect time; a server that cannot is refused at once", async () => {
  await using server = await testServer({ features: [{ name: "path" }] });
  await assertRejects(
    () => connect({ port: server.port, digest: "xxh128" }),
    UnsupportedError,
    'a digest other than sha256 (the "digest" extension)',
  );
  await using ferry = await testServer();
  await using client = await connect({ port: ferry.port, digest: "xxh128" });
  assertEquals(client.agreed?.value("digest"), "xxh128");
});

Deno.test("a dialect without checksums never agrees a digest", async () => {
  await using server = await testServer({ dialect: DIALECTS.framed });
  using raw = await RawClient.connect(server.port);
  await raw.command("feat digest=xxh128,sha256 path");
  assertEquals(decoder.decode((await raw.reader.readFrame(100))!), "ok path");
});

/**
 * A server that agrees xxh128 and answers one `get` with `payload` and `trailer`, in
 * frames: the trailer a corrupt or dishonest one sends.
 */
function xxh128Server(payload: Uint8Array, trailer: string) {
  return scriptedServer(async (control, openData) => {
    await control.reader.readFrame(4096); // feat
    await control.sendFrame("ok digest=xxh128");
    await control.reader.readFrame(4096); // get
    const data = openData();
    await control.send(encodeField(data.port));
    const conn = await data.accept();
    await conn.send(encodeFrame(payload), encodeFrame(trailer));
    conn.close(); // The client sends nothing here, so closing first loses nothing.
    await control.reader.readFrame(4096).catch(() => null); // quit
  });
}

Deno.test("a get whose xxh128 does not match leaves no file", async () => {
  await using local = await tempDir();
  const bytes = randomBytes(100_000);
  const wrong = await xxh128(bytes.subarray(1));
  await using server = xxh128Server(bytes, `xxh128 ${wrong}`);
  await using client = await connect({ port: server.port });
  await client.features();
  const error = await assertRejects(
    () => client.get("f.bin", local.file("f.bin")),
    IntegrityError,
    `the server sent xxh128 ${wrong} but the bytes hash to ${await xxh128(bytes)}`,
  );
  assertStringIncludes(error.message, 'Download of "f.bin" is corrupt');
  assertEquals(await namesIn(local.path), []);
});

Deno.test("a get whose trailer names sha256 in an xxh128 session keeps nothing", async () => {
  await using local = await tempDir();
  const bytes = randomBytes(1000);
  await using server = xxh128Server(bytes, `sha256 ${sha256(bytes)}`);
  await using client = await connect({ port: server.port });
  await client.features();
  // 71 bytes that are not an xxh128 trailer are more of the file: then no trailer came.
  await assertRejects(() => client.get("f.bin", local.file("f.bin")), Error, "checksum");
  assertEquals(await namesIn(local.path), []);
});

/**
 * Files past 9,999,999,999 bytes, the most a 10-digit field carries. The server's files
 * here are sparse (they take no disk), and no test moves 10 GB by default: the framing
 * is tested across the boundary with a synthetic source and sink (a resumed payload
 * whose bytes start just below it), and the server's side with a real sparse file whose
 * first frame is read. `FERRY_TEST_LARGE=1` also runs a real end-to-end `get` of a
 * 10 GB file, resumed near its end (it hashes 10 GB three times: a minute or two here).
 */
import { assert, assertEquals, assertRejects } from "../support/assert.ts";
import { connect } from "../../src/client/connect.ts";
import { partialPaths } from "../../src/client/partial_download.ts";
import { receiveFile } from "../../src/client/transfers.ts";
import { createDigest, digestOf } from "../../src/common/digest.ts";
import { LocalFileError } from "../../src/common/errors.ts";
import { MAX_FIELD_VALUE } from "../../src/protocol/field.ts";
import { formatVersion } from "../../src/protocol/resume.ts";
import { Channel } from "../../src/transport/channel.ts";
import { bytesSource, sendPayload } from "../../src/transport/payload_pump.ts";
import { randomBytes, RawClient, sha256, tempDir, testServer } from "../support/helpers.ts";

const HUGE = MAX_FIELD_VALUE + 2;
const text = (bytes: Uint8Array | null) => new TextDecoder().decode(bytes ?? undefined);

/** A raw session that agreed `frames`, and opens a command's data connection. */
async function framedSession(port: number) {
  const raw = await RawClient.connect(port);
  await raw.command("feat frames");
  assertEquals(text(await raw.reader.readFrame(100)), "ok frames");
  return {
    async open(command: string): Promise<RawClient> {
      await raw.command(command);
      const { port } = await raw.reply() as { port: number };
      return await RawClient.connect(port);
    },
    [Symbol.dispose]: () => raw.close(),
  };
}

Deno.test("framing across the 9,999,999,999-byte boundary (synthetic source and sink): offsets, sizes and the digest hold", async () => {
  const from = MAX_FIELD_VALUE - 1000;
  const tail = randomBytes(3000);
  const total = from + tail.byteLength;
  // As long as a real one: its announcement is 66 bytes, past what ten digits alone need.
  const VERSION = `${total}-1764590000123`;
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const sender = new Channel(
    await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
  );
  const receiver = new Channel(await accepted);
  try {
    // The digest of the synthetic first `from` bytes stands in for hashing 10 GB.
    const prefix = await createDigest("sha256");
    prefix.update(new TextEncoder().encode("the first 9,999,998,999 bytes"));
    const sending = prefix.copy();
    const sent = sendPayload(sender, bytesSource(tail), tail.byteLength, {
      digest: sending,
      offset: from,
      tail: () => new TextEncoder().encode(`0000000071sha256 ${sending.copy().hex()}`),
      framed: { words: String, version: VERSION },
    });
    const progress: number[] = [];
    const chunks: Uint8Array[] = [];
    const received = await receiveFile(receiver, {
      write: (chunk) => Promise.resolve(void chunks.push(chunk.slice())),
    }, {
      framed: true,
      digest: "sha256",
      onLength: (length) => assertEquals(length, total),
      onProgress: (bytes) => progress.push(bytes),
      resume: (announced) => {
        assertEquals(announced, { total, from, version: VERSION });
        return Promise.resolve(prefix.copy());
      },
    });
    await sent;
    assertEquals([received.from, received.bytes], [from, total]);
    assertEquals(received.declared, received.hex);
    assertEquals(sha256(new Uint8Array(chunks.flatMap((c) => [...c]))), sha256(tail));
    assert(progress.at(-1)! > MAX_FIELD_VALUE, "progress counts past ten digits");
  } finally {
    sender.close();
    receiver.close();
  }
});

Deno.test("a file past ten digits is listed; a base get is refused, saying why; a framed get announces its size", async () => {
  await using server = await testServer();
  await Deno.writeFile(server.root.file("huge.bin"), new Uint8Array(0));
  await Deno.truncate(server.root.file("huge.bin"), HUGE);
  await using client = await connect({ port: server.port, features: [] });
  assertEquals([...await client.list()], [{ name: "huge.bin", isDirectory: false }]);
  using base = await RawClient.connect(server.port);
  await base.command("get huge.bin");
  assertEquals(await base.reply(), {
    refused: `"huge.bin" is ${HUGE} bytes, more than the ${MAX_FIELD_VALUE} a 10-digit length ` +
      "field carries (ferry clients agree framed payloads, which carry more)",
  });
  using framed = await framedSession(server.port);
  using data = await framed.open("get huge.bin");
  assertEquals(text(await data.reader.readFrame(100)), `size ${HUGE}`);
  const first = await data.reader.readFrame(1 << 20);
  assertEquals(first?.byteLength, 1 << 20);
});

Deno.test("a framed put past ten digits meets --max-upload at its announcement", async () => {
  await using server = await testServer({ limits: { maxUploadBytes: MAX_FIELD_VALUE + 1 } });
  using raw = await framedSession(server.port);
  using data = await raw.open("put huge.bin");
  await data.sendFrame(`size ${HUGE}`);
  assertEquals(
    text(await data.reader.readFrame(4096)),
    `error Upload of ${HUGE} bytes exceeds this server's limit of ${MAX_FIELD_VALUE + 1} bytes`,
  );
});

Deno.test("a put past ten digits to a server without framed payloads is refused before a byte moves", async () => {
  await using server = await testServer();
  await using local = await tempDir();
  await Deno.writeFile(local.file("huge.bin"), new Uint8Array(0));
  await Deno.truncate(local.file("huge.bin"), HUGE);
  await using client = await connect({ port: server.port, features: [] });
  await assertRejects(
    () => client.put(local.file("huge.bin")),
    LocalFileError,
    `is ${HUGE} bytes, more than the ${MAX_FIELD_VALUE} a 10-digit length field carries, ` +
      "and the server does not agree framed payloads, which carry more",
  );
  assertEquals(server.events.filter((e) => e.action === "put" || e.action === "reput"), []);
});

Deno.test({
  name: "a real 10 GB file (sparse) is fetched end to end, resumed near its end, verified",
  ignore: Deno.env.get("FERRY_TEST_LARGE") !== "1",
  async fn() {
    await using server = await testServer();
    await using local = await tempDir();
    const served = server.root.file("huge.bin");
    const marker = randomBytes(5 << 20);
    await Deno.writeFile(served, new Uint8Array(0));
    await Deno.truncate(served, HUGE - marker.byteLength);
    await Deno.writeFile(served, marker, { append: true });
    const info = await Deno.stat(served);
    // The client holds the zeros before the marker, described: the rest crosses ten digits.
    const held = HUGE - marker.byteLength - 1000;
    const destination = local.file("huge.bin");
    const paths = await partialPaths(destination);
    await Deno.writeFile(paths.data, new Uint8Array(0));
    await Deno.truncate(paths.data, held);
    await Deno.writeTextFile(
      paths.info,
      JSON.stringify({
        remote: "huge.bin",
        size: HUGE,
        version: formatVersion(HUGE, info.mtime!.getTime()),
      }),
    );
    await using client = await connect({ port: server.port });
    const got = await client.get("huge.bin", destination);
    assertEquals([got.bytes, got.resumedFrom, got.verified], [HUGE, held, true]);
    using copy = await Deno.open(destination);
    assertEquals(await digestOf(copy, { name: got.digest }), got.hex);
  },
});

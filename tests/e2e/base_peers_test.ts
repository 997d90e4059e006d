/**
 * Base-protocol peers as the course's own implementations behave (PROTOCOL.md §6):
 * files sent as many frames, clients that close without reading a status, framed
 * refusals, frames where a port belongs, servers that send a port before they
 * listen. Written from the protocol's description, not from any peer's code.
 */
import { connect } from "../../src/client/connect.ts";
import { partialPaths } from "../../src/client/partial_download.ts";
import { DialectError, RemoteError } from "../../src/common/errors.ts";
import { encodeField, encodeFrame } from "../../src/protocol/field.ts";
import {
  assertEquals,
  assertRejects,
  assertStartsWith,
  assertStringIncludes,
} from "../support/assert.ts";
import {
  concat,
  randomBytes,
  RawClient,
  sha256,
  sha256File,
  tempDir,
  testServer,
} from "../support/helpers.ts";
import { handoutFrames, Peer } from "../support/peer.ts";
import { scriptedServer } from "../support/scripted_server.ts";

const FILE = randomBytes(328_914);

for (const terminator of [false, true]) {
  const how = terminator ? "an empty frame, then closes" : "closes";
  Deno.test(`a base client that sends a file in 64 KiB frames, then ${how}, has it stored whole`, async () => {
    await using server = await testServer();
    using raw = await RawClient.connect(server.port);
    await raw.command("put handout.bin");
    const { port } = await raw.reply() as { port: number };
    const data = await Peer.connect(port);
    await data.send(handoutFrames(FILE, terminator));
    data.close(); // Seed step 5: close after sending, never read a status.
    const event = await server.waitFor((e) => e.action === "put");
    assertEquals([event.result, event.bytes], [`ok: sha256 ${sha256(FILE)}`, FILE.byteLength]);
    assertEquals(await sha256File(server.root.file("handout.bin")), sha256(FILE));
  });
}

Deno.test("a base client's multi-frame upload that is cut off stores nothing", async () => {
  await using server = await testServer();
  using raw = await RawClient.connect(server.port);
  await raw.command("put cut.bin");
  const { port } = await raw.reply() as { port: number };
  const data = await Peer.connect(port);
  const frames = handoutFrames(FILE, false);
  await data.send(frames.subarray(0, 65546 + 10 + 30_000)); // One frame and part of the next.
  data.close();
  const event = await server.waitFor((e) => e.action === "put");
  assertEquals(event.result, "failed: Connection closed after 30000 of 65536 bytes");
  await raw.command("ls");
  assertEquals("port" in (await raw.reply())!, true, "the session goes on");
});

/** A base server that answers one `get` with `payload` bytes on the data connection. */
function baseGetServer(payload: Uint8Array) {
  return scriptedServer(async (control, openData) => {
    await control.reader.readFrame(4096);
    const data = openData();
    await control.send(encodeField(data.port));
    const conn = await data.accept();
    await conn.send(payload);
    conn.close();
    await control.reader.readFrame(4096); // quit
  });
}

for (const terminator of [false, true]) {
  const how = terminator ? "and an empty frame" : "and no trailer";
  Deno.test(`a get from a base server that sends 64 KiB frames ${how} is whole, not verified`, async () => {
    await using local = await tempDir();
    await using server = baseGetServer(handoutFrames(FILE, terminator));
    await using client = await connect({ port: server.port });
    const result = await client.get("f", local.file("f"));
    assertEquals([result.bytes, result.verified], [FILE.byteLength, false]);
    assertEquals(await sha256File(local.file("f")), sha256(FILE));
  });
}

Deno.test("a ferry trailer after several frames still verifies the whole file", async () => {
  await using local = await tempDir();
  const trailer = encodeFrame(`sha256 ${sha256(FILE)}`);
  await using server = baseGetServer(concat(handoutFrames(FILE, false), trailer));
  await using client = await connect({ port: server.port });
  const result = await client.get("f", local.file("f"));
  assertEquals([result.bytes, result.verified], [FILE.byteLength, true]);
});

/** A base server that answers the first command with `reply`, then expects `quit`. */
function answering(reply: Uint8Array, then: (control: Peer) => Promise<void> = async () => {}) {
  return scriptedServer(async (control) => {
    await control.reader.readFrame(4096);
    await control.send(reply);
    await then(control);
    await control.reader.readFrame(4096).catch(() => null); // quit, or the close
  });
}

Deno.test("a framed refusal 0000000002-1 is a refusal without a message", async () => {
  await using server = answering(encodeFrame("-1"));
  await using client = await connect({ port: server.port });
  await assertRejects(
    () => client.list(),
    RemoteError,
    "The server refused the command without saying why",
  );
  assertEquals(client.closed, false);
});

const STRAY_FRAMES: [string, string][] = [
  ["a listing on the control connection", "server.log\ns.txt\nnotes.md\n"],
  ["a text status", "ls ok port 40000"],
];

for (const [what, text] of STRAY_FRAMES) {
  Deno.test(`${what} is read as a frame, never as a port to connect to`, async () => {
    await using server = answering(encodeFrame(text), async (control) => {
      await control.reader.readFrame(4096); // The next command: the session is in step.
      await control.send(encodeField(0), encodeFrame("no"));
    });
    await using client = await connect({ port: server.port });
    const error = await assertRejects(() => client.list(), DialectError);
    assertStartsWith(error.message, "The server sent ");
    assertStringIncludes(error.message, text.slice(0, 10));
    await assertRejects(() => client.list(), RemoteError, "no");
  });
}

Deno.test("a server that sends its data port before it listens is waited for", async () => {
  await using local = await tempDir();
  await using server = scriptedServer(async (control) => {
    await control.reader.readFrame(4096);
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = probe.addr.port;
    probe.close();
    await control.send(encodeField(port));
    await new Promise((resolve) => setTimeout(resolve, 300)); // The bug being tolerated.
    using late = Deno.listen({ hostname: "127.0.0.1", port });
    using data = new Peer(await late.accept());
    await data.send(encodeFrame("late but fine"));
    data.close();
    await control.reader.readFrame(4096);
  });
  await using client = await connect({ port: server.port });
  const result = await client.get("f", local.file("f"));
  assertEquals(await Deno.readTextFile(local.file("f")), "late but fine");
  assertEquals(result.verified, false);
});

Deno.test("a get that finds a partial file asks a base server for `feat` once, then fetches it whole", async () => {
  await using local = await tempDir();
  const commands: string[] = [];
  await using server = scriptedServer(async (control, openData) => {
    for (let served = false; !served;) {
      const frame = new TextDecoder().decode(await control.reader.readFrame(4096) ?? undefined);
      commands.push(frame);
      if (frame.startsWith("feat")) {
        await control.send(encodeFrame("Unknown command feat")); // A base refusal.
        continue;
      }
      const data = openData();
      await control.send(encodeField(data.port));
      const conn = await data.accept();
      await conn.send(handoutFrames(FILE));
      conn.close();
      served = true;
    }
    await control.reader.readFrame(100).catch(() => null);
  });
  // What a cut download from a ferry server left: bytes and their description.
  const paths = await partialPaths(local.file("f.bin"));
  await Deno.writeFile(paths.data, randomBytes(1000));
  await Deno.writeTextFile(paths.info, JSON.stringify({ remote: "f.bin" }));
  await using client = await connect({ port: server.port });
  const got = await client.get("f.bin", local.file("f.bin"));
  assertEquals([got.resumedFrom, got.verified], [0, false]);
  assertEquals(await sha256File(local.file("f.bin")), sha256(FILE));
  assertEquals(commands.map((c) => c.split(" ")[0]), ["feat", "get"]);
});

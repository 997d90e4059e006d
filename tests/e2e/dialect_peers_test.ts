/**
 * Each dialect of PROTOCOL.md §15 against scripted peers written from that section
 * alone (never from any real implementation's code): scripted servers for the ferry
 * client, byte-level clients for the ferry server, in both directions of transfer.
 */
import { connect } from "../../src/client/connect.ts";
import { RemoteError } from "../../src/common/errors.ts";
import { DIALECTS } from "../../src/protocol/dialects.ts";
import { encodeField, encodeFrame } from "../../src/protocol/field.ts";
import { assertEquals, assertRejects } from "../support/assert.ts";
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

const text = (bytes: Uint8Array | null) => new TextDecoder().decode(bytes ?? new Uint8Array());
const { framed, active } = DIALECTS;
const inline = DIALECTS["active-inline"];

const FILE = randomBytes(60_000);
const TWO_FRAMES = concat(FILE, FILE.subarray(0, 20_000)); // 80,000 bytes: two frames.

// ---- The ferry client against scripted servers ----

Deno.test("framed: the ferry client lists from the reply frame, gets and puts, reads -1", async () => {
  await using local = await tempDir();
  await Deno.writeFile(local.file("up.bin"), FILE);
  let uploaded: Uint8Array = new Uint8Array();
  await using server = scriptedServer(async (control, openData) => {
    assertEquals(text(await control.reader.readFrame(100)), "ls");
    await control.sendFrame("a.txt\nsub/\n");
    assertEquals(text(await control.reader.readFrame(100)), "get a.txt");
    let data = openData();
    await control.sendFrame(String(data.port));
    let conn = await data.accept();
    await conn.send(handoutFrames(TWO_FRAMES));
    await conn.channel.closeWrite(); // Nothing after the payload (§15.1).
    assertEquals(await conn.reader.readChunk(1), null, "the client closes");
    assertEquals(text(await control.reader.readFrame(100)), "put up.bin");
    data = openData();
    await control.sendFrame(String(data.port));
    conn = await data.accept();
    uploaded = (await conn.reader.readFrame(1 << 20))!;
    assertEquals(await conn.reader.readChunk(1), null, "the client half-closes after its frame");
    await conn.channel.closeWrite();
    assertEquals(text(await control.reader.readFrame(100)), "get nope");
    await control.sendFrame("-1");
    assertEquals(text(await control.reader.readFrame(100)), "get gone");
    await control.sendFrame("File not found");
    assertEquals(text(await control.reader.readFrame(100)), "quit");
  });
  await using client = await connect({ port: server.port, dialect: framed });
  assertEquals([...await client.list()], [
    { name: "a.txt", isDirectory: false },
    { name: "sub", isDirectory: true },
  ]);
  const got = await client.get("a.txt", local.file("a.txt"));
  assertEquals([got.bytes, got.verified], [TWO_FRAMES.byteLength, false]);
  assertEquals(await Deno.readFile(local.file("a.txt")), TWO_FRAMES);
  const put = await client.put(local.file("up.bin"));
  assertEquals([put.verified, uploaded], [false, FILE]);
  await assertRejects(() => client.get("nope", local.file("n")), RemoteError, "without saying why");
  await assertRejects(() => client.get("gone", local.file("g")), RemoteError, "File not found");
});

for (const dialect of [active, inline]) {
  /** Reads a command and the port that goes with it, the way `dialect` sends them. */
  const commandAndPort = async (control: Peer): Promise<[string, number]> => {
    const command = text(await control.reader.readFrame(100));
    if (dialect === active) return [command, Number(text(await control.reader.readFrame(100)))];
    const space = command.lastIndexOf(" ");
    return [command.slice(0, space), Number(command.slice(space + 1))];
  };

  Deno.test(`${dialect.name}: the ferry client listens, and the scripted server connects`, async () => {
    await using local = await tempDir();
    await Deno.writeFile(local.file("up.bin"), FILE);
    let uploaded: Uint8Array = new Uint8Array();
    let refusedPort = 0;
    await using server = scriptedServer(async (control) => {
      let [command, port] = await commandAndPort(control);
      assertEquals(command, "ls");
      let conn = await Peer.connect(port);
      await conn.sendFrame("a.txt\n");
      conn.close();
      [command, port] = await commandAndPort(control);
      assertEquals(command, "get a b.txt"); // The name keeps its space.
      conn = await Peer.connect(port);
      await conn.send(handoutFrames(TWO_FRAMES));
      await conn.channel.closeWrite();
      assertEquals(await conn.reader.readChunk(1), null, "the client closes");
      conn.close();
      [command, port] = await commandAndPort(control);
      assertEquals(command, "put up.bin");
      conn = await Peer.connect(port);
      uploaded = (await conn.reader.readFrame(1 << 20))!;
      assertEquals(await conn.reader.readChunk(1), null, "the client half-closes");
      conn.close();
      [command, refusedPort] = await commandAndPort(control);
      assertEquals(command, "get nope");
      await control.send(encodeField(0), encodeFrame('No such file "nope"'));
      assertEquals(text(await control.reader.readFrame(100)), "quit");
    });
    await using client = await connect({ port: server.port, dialect });
    assertEquals([...await client.list()], [{ name: "a.txt", isDirectory: false }]);
    const got = await client.get("a b.txt", local.file("a.txt"));
    assertEquals([got.bytes, got.verified], [TWO_FRAMES.byteLength, false]);
    assertEquals(await Deno.readFile(local.file("a.txt")), TWO_FRAMES);
    const put = await client.put(local.file("up.bin"));
    assertEquals([put.verified, uploaded], [false, FILE]);
    await assertRejects(
      () => client.get("nope", local.file("n")),
      RemoteError,
      'No such file "nope"',
    );
    // After a refusal the client's port is closed: nothing can connect to it any more.
    await assertRejects(
      () => Deno.connect({ hostname: "127.0.0.1", port: refusedPort }),
      Deno.errors.ConnectionRefused,
    );
  });
}

// ---- Scripted clients against the ferry server ----

Deno.test("framed: the ferry server answers with frames and sends nothing after a payload", async () => {
  await using server = await testServer({ dialect: framed });
  await Deno.writeTextFile(server.root.file("hello.txt"), "Hello, world!\n");
  using raw = await RawClient.connect(server.port);
  await raw.command("ls");
  assertEquals(text(await raw.reader.readFrame(1000)), "hello.txt\n");
  await raw.command("get hello.txt");
  const port = Number(text(await raw.reader.readFrame(5)));
  using data = await Peer.connect(port);
  // A client that reads to the end of the stream gets the frame, and not one byte more.
  let received: Uint8Array = new Uint8Array();
  for (let chunk; (chunk = await data.reader.readChunk(1 << 16)) !== null;) {
    received = concat(received, chunk);
  }
  assertEquals(text(received), "0000000014Hello, world!\n");
  await raw.command("get nope.txt");
  assertEquals(text(await raw.reader.readExact(12)), "0000000002-1");
  await raw.command("frob");
  assertEquals(text(await raw.reader.readExact(12)), "0000000002-1");
});

Deno.test("framed: a base client's upload in 64 KiB frames, closed unread, is stored whole", async () => {
  await using server = await testServer({ dialect: framed });
  using raw = await RawClient.connect(server.port);
  await raw.command("put two.bin");
  const port = Number(text(await raw.reader.readFrame(5)));
  const data = await Peer.connect(port);
  await data.send(handoutFrames(TWO_FRAMES));
  data.close();
  const event = await server.waitFor((e) => e.action === "put");
  assertEquals(event.bytes, TWO_FRAMES.byteLength);
  assertEquals(await Deno.readFile(server.root.file("two.bin")), TWO_FRAMES);
});

for (const dialect of [active, inline]) {
  /** Sends `command` with `port` the way `dialect` does. */
  const send = (raw: RawClient, command: string, port: number | string) =>
    dialect === active
      ? raw.send(encodeFrame(command), encodeFrame(String(port)))
      : raw.command(`${command} ${port}`);

  Deno.test(`${dialect.name}: the ferry server connects to the scripted client's port`, async () => {
    await using server = await testServer({ dialect });
    await Deno.writeTextFile(server.root.file("hello.txt"), "Hello, world!\n");
    using raw = await RawClient.connect(server.port);
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = listener.addr.port;

    await send(raw, "get hello.txt", port);
    let data = new Peer(await listener.accept());
    assertEquals(text(await data.reader.readFrame(100)), "Hello, world!\n");
    assertEquals(await data.reader.readChunk(1), null, "nothing after the payload");
    data.close();

    await send(raw, "put two.bin", port);
    data = new Peer(await listener.accept());
    await data.send(handoutFrames(TWO_FRAMES));
    await data.channel.closeWrite();
    assertEquals(await data.reader.readChunk(1), null, "no status: the server ends its side");
    data.close();
    assertEquals(await sha256File(server.root.file("two.bin")), sha256(TWO_FRAMES));

    await send(raw, "ls", port);
    data = new Peer(await listener.accept());
    assertEquals(text(await data.reader.readFrame(100)), "hello.txt\ntwo.bin\n");
    data.close();

    await send(raw, "get nope.txt", port);
    assertEquals(await raw.reply(), { refused: 'No such file "nope.txt"' });
    await send(raw, "get hello.txt", 80);
    assertEquals(await raw.reply(), {
      refused: "Data port 80 is below 1024: this server connects only to ports 1024 to 65535",
    });
    assertEquals(
      server.events.filter((e) => e.action === "get").map((e) => e.result).slice(-2),
      [
        'refused: No such file "nope.txt"',
        "refused: Data port 80 is below 1024: " +
        "this server connects only to ports 1024 to 65535",
      ],
    );
  });
}

Deno.test("active: a port frame that is not a port is refused, and the session stays in step", async () => {
  await using server = await testServer({ dialect: active });
  using raw = await RawClient.connect(server.port);
  await raw.send(encodeFrame("ls"), encodeFrame("http"));
  assertEquals(await raw.reply(), {
    refused: 'Expected the data port (1 to 65535) as a frame after the command, got "http"',
  });
  await raw.send(encodeFrame("get ../x"), encodeFrame("41234")); // Refused, port read all the same.
  assertEquals(await raw.reply(), {
    refused: 'File name "../x" is not allowed: it must not contain / or \\',
  });
  await raw.command("quit");
  assertEquals(await raw.closedByServer(), true);
});

Deno.test("active-inline: a command without its port is refused with the form to use", async () => {
  await using server = await testServer({ dialect: inline });
  using raw = await RawClient.connect(server.port);
  await raw.command("get hello.txt");
  assertEquals(await raw.reply(), {
    refused: "Command get needs the data port at its end: get NAME PORT",
  });
});

Deno.test("active: a client port nobody listens on is refused when the data deadline passes", async () => {
  // The refused connection is retried (§15.3) until the deadline, kept short here.
  await using server = await testServer({ dialect: active, limits: { dataAcceptTimeout: 300 } });
  await Deno.writeTextFile(server.root.file("a"), "a");
  using raw = await RawClient.connect(server.port);
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closed = probe.addr.port;
  probe.close();
  await raw.send(encodeFrame("get a"), encodeFrame(String(closed)));
  assertEquals(await raw.reply(), {
    refused: `Cannot connect to the data port 127.0.0.1:${closed}: no answer within 0.3 s`,
  });
  await raw.command("quit");
  assertEquals(await raw.closedByServer(), true, "the session went on to read quit");
});

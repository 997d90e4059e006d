/** The server against raw, broken and hostile peers: one session fails, the rest go on. */
import net from "node:net";
import { assertEquals, assertStartsWith, assertStringIncludes } from "../support/assert.ts";
import { connect } from "../../src/client/connect.ts";
import { encodeField, encodeFrame } from "../../src/protocol/field.ts";
import { namesIn, RawClient, refusalOf, tempDir, testServer } from "../support/helpers.ts";

/** Proves the server still serves: a fresh client lists the folder. */
async function stillServing(port: number): Promise<void> {
  await using client = await connect({ port });
  await client.list();
}

Deno.test("an unknown command is refused and the session goes on", async () => {
  await using server = await testServer();
  using raw = await RawClient.connect(server.port);
  await raw.command("delete everything");
  assertEquals(await raw.reply(), {
    refused: 'Unknown command "delete": expected ls, get, put or quit',
  });
  await raw.command("ls");
  assertEquals("port" in (await raw.reply())!, true);
});

Deno.test("a command that is not UTF-8 is refused and the session goes on", async () => {
  await using server = await testServer();
  using raw = await RawClient.connect(server.port);
  await raw.send(encodeFrame(new Uint8Array([0x67, 0x65, 0x74, 0x20, 0xff, 0xfe])));
  assertEquals(await raw.reply(), { refused: "Command is not valid UTF-8" });
  await raw.command("quit");
  assertEquals(await raw.closedByServer(), true);
});

Deno.test("hostile names in commands are refused with a reason", async () => {
  await using server = await testServer();
  using raw = await RawClient.connect(server.port);
  const cases: [string, string][] = [
    ["get ../../etc/passwd", "must not contain / or \\"],
    ["get /etc/passwd", "must not contain / or \\"],
    ["get ..", "names a folder"],
    ["put ..\\..\\x", "must not contain / or \\"],
    ["put a\0b", "control character"],
    ["get \x1b]0;pwned\x07", "control character"],
    ["get", "needs a file name"],
  ];
  for (const [command, reason] of cases) {
    await raw.command(command);
    const reply = await raw.reply();
    assertStringIncludes(refusalOf(reply), reason, command);
    if (reply && "refused" in reply) assertEquals(reply.refused.includes("\x1b"), false);
  }
  assertEquals(await namesIn(server.root.path), []);
});

Deno.test("a malformed frame header ends only that session, with a reason", async () => {
  await using server = await testServer();
  using raw = await RawClient.connect(server.port);
  await raw.send("12ab567890");
  assertEquals(await raw.reply(), {
    refused: 'Cannot read field "12ab567890": expected 10 ASCII digits',
  });
  assertEquals(await raw.closedByServer(), true);
  await server.waitFor((e) => e.action === "protocol-error");
  await stillServing(server.port);
});

Deno.test("a command frame over 4 KiB ends the session before its payload is read", async () => {
  await using server = await testServer();
  using raw = await RawClient.connect(server.port);
  await raw.send(encodeField(4097));
  assertEquals(await raw.reply(), { refused: "Frame of 4097 bytes exceeds the 4096-byte limit" });
  assertEquals(await raw.closedByServer(), true);
  await stillServing(server.port);
});

Deno.test("a command frame of exactly 4 KiB is still read", async () => {
  await using server = await testServer();
  using raw = await RawClient.connect(server.port);
  await raw.command("get " + "x".repeat(4092));
  const reply = await raw.reply();
  assertStringIncludes(refusalOf(reply), "longer than 255");
});

Deno.test("a client vanishing mid-upload leaves no file and no temp debris", async () => {
  await using server = await testServer();
  using raw = await RawClient.connect(server.port);
  await raw.command("put half.bin");
  const reply = await raw.reply() as { port: number };
  const data = await Deno.connect({ hostname: "127.0.0.1", port: reply.port });
  await data.write(encodeField(1_000_000));
  await data.write(new Uint8Array(300_000));
  data.close();
  const event = await server.waitFor((e) => e.action === "put");
  assertEquals(event.result, "failed: Connection closed after 300000 of 1000000 bytes");
  assertEquals(await namesIn(server.root.path), []);
  await raw.command("ls");
  assertEquals("port" in (await raw.reply())!, true, "the same session goes on");
  await stillServing(server.port);
});

Deno.test("a client vanishing before the payload header leaves nothing behind", async () => {
  await using server = await testServer();
  using raw = await RawClient.connect(server.port);
  await raw.command("put nothing.bin");
  const reply = await raw.reply() as { port: number };
  (await Deno.connect({ hostname: "127.0.0.1", port: reply.port })).close();
  const event = await server.waitFor((e) => e.action === "put");
  assertStartsWith(event.result, "failed: The client closed the data connection");
  assertEquals(await namesIn(server.root.path), []);
});

Deno.test("a malformed payload header on a put gets an error status", async () => {
  await using server = await testServer();
  using raw = await RawClient.connect(server.port);
  await raw.command("put bad.bin");
  const reply = await raw.reply() as { port: number };
  using data = await RawClient.connect(reply.port);
  await data.send("not-digits");
  const status = new TextDecoder().decode((await data.reader.readFrame(4096))!);
  assertEquals(status, 'error Cannot read field "not-digits": expected 10 ASCII digits');
  data.close();
  await server.waitFor((e) => e.action === "put");
  assertEquals(await namesIn(server.root.path), []);
});

Deno.test("a client that never opens the data connection is timed out", async () => {
  await using server = await testServer({ limits: { dataAcceptTimeout: 50 } });
  await Deno.writeTextFile(server.root.file("f"), "x");
  using raw = await RawClient.connect(server.port);
  await raw.command("get f");
  assertEquals("port" in (await raw.reply())!, true);
  const event = await server.waitFor((e) => e.action === "get");
  assertEquals(event.result, "failed: No data connection arrived within 0.05 s");
  await raw.command("ls");
  assertEquals("port" in (await raw.reply())!, true, "the session goes on");
});

Deno.test("a data connection from another address is closed, and the client still gets its file", async () => {
  await using server = await testServer();
  await Deno.writeTextFile(server.root.file("secret"), "for the client only");
  using raw = await RawClient.connect(server.port);
  await raw.command("get secret");
  const { port } = await raw.reply() as { port: number };

  // The intruder connects first, from 127.0.0.2, and must receive nothing.
  const intruder = net.connect({ host: "127.0.0.1", port, localAddress: "127.0.0.2" });
  const stolen: Uint8Array[] = [];
  intruder.on("data", (chunk: Uint8Array) => stolen.push(chunk));
  const intruderClosed = new Promise((resolve) => intruder.on("close", resolve));
  intruder.on("error", () => {});
  await server.waitFor((e) => e.action === "intruder");
  await intruderClosed;

  using data = await RawClient.connect(port);
  const payload = await data.reader.readFrame(1000);
  assertEquals(new TextDecoder().decode(payload!), "for the client only");
  assertEquals(stolen.length, 0);
  const intrusion = server.events.find((e) => e.action === "intruder")!;
  assertStartsWith(intrusion.result, "refused: data connection from 127.0.0.2:");
});

Deno.test("shutdown() ends sessions that wait for a data connection", async () => {
  await using server = await testServer();
  using raw = await RawClient.connect(server.port);
  await raw.command("ls");
  assertEquals("port" in (await raw.reply())!, true);
  await server.server.shutdown();
  assertEquals(await raw.closedByServer(), true);
});

Deno.test("each session is logged with its peer, command, name, bytes and result", async () => {
  await using server = await testServer();
  await using local = await tempDir();
  await Deno.writeTextFile(server.root.file("f"), "12345");
  {
    await using client = await connect({ port: server.port });
    await client.get("f", local.file("f"));
  }
  await server.waitFor((e) => e.action === "quit");
  const get = server.events.find((e) => e.action === "get")!;
  assertEquals([get.name, get.bytes, get.result.startsWith("ok: sha256 ")], ["f", 5, true]);
  assertStartsWith(get.peer, "127.0.0.1:");
  assertEquals(typeof get.ms, "number");
  assertEquals(server.events.map((e) => e.action), ["connect", "get", "quit"]);
});

Deno.test("a refusal quoting a huge hostile name still fits in 4 KiB", async () => {
  await using server = await testServer();
  using raw = await RawClient.connect(server.port);
  await raw.command("get " + "/".repeat(4080));
  const reply = await raw.reply() as { refused: string };
  assertEquals(reply.refused.length < 400, true);
  assertStringIncludes(reply.refused, "must not contain / or \\");
});

Deno.test("a put into a folder that cannot be written is refused and the session goes on", async () => {
  await using server = await testServer();
  using raw = await RawClient.connect(server.port);
  await Deno.remove(server.root.path, { recursive: true });
  await raw.command("put x");
  assertEquals(await raw.reply(), { refused: 'Cannot store "x": No such file or directory' });
  await Deno.mkdir(server.root.path);
  await raw.command("ls");
  assertEquals("port" in (await raw.reply())!, true);
});

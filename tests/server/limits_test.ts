/** Session caps, deadlines and upload caps, each against a live server. */
import {
  assertEquals,
  assertRejects,
  assertStartsWith,
  assertStringIncludes,
} from "../support/assert.ts";
import type { Client } from "../../src/client/client.ts";
import { connect } from "../../src/client/connect.ts";
import { RemoteError } from "../../src/common/errors.ts";
import { parseSize } from "../../src/common/sizes.ts";
import { encodeField } from "../../src/protocol/field.ts";
import { namesIn, randomBytes, RawClient, tempDir, testServer } from "../support/helpers.ts";

Deno.test("parseSize() reads plain, SI and binary sizes", () => {
  assertEquals(parseSize("1048576"), 1048576);
  assertEquals(parseSize("500M"), 500_000_000);
  assertEquals(parseSize("2GiB"), 2 * 2 ** 30);
  assertEquals(parseSize("1.5k"), 1500);
  assertEquals(parseSize("12X"), undefined);
  assertEquals(parseSize("-1"), undefined);
});

Deno.test("a client over the per-address session limit is refused in one sentence", async () => {
  await using server = await testServer({ limits: { maxSessionsPerPeer: 2 } });
  await using first = await connect({ port: server.port });
  await using second = await connect({ port: server.port });
  {
    await using third = await connect({ port: server.port });
    await assertRejects(
      () => third.list(),
      RemoteError,
      "The server ended the session: Too many sessions from 127.0.0.1 (limit 2): close one first",
    );
    assertEquals(third.closed, true);
  }
  await first.quit();
  await server.waitFor((e) => e.action === "quit");
  await using fourth = await connect({ port: server.port });
  await fourth.list();
  await second.list();
});

Deno.test("when the server is full of idle sessions, the one idle longest gives way to a newcomer", async () => {
  await using server = await testServer({ limits: { maxSessions: 4 } });
  const idle: Client[] = [];
  for (let i = 0; i < 4; i++) idle.push(await connect({ port: server.port }));
  await idle[0].list(); // Busy a moment ago: now the one idle longest is idle[1].
  await using newcomer = await connect({ port: server.port });
  assertEquals([...await newcomer.list()], []);
  await assertRejects(
    () => idle[1].list(),
    RemoteError,
    "The server ended the session: The server is full, and this session was idle the longest: it was closed to make room",
  );
  assertEquals(idle[1].closed, true);
  for (const client of [idle[0], idle[2], idle[3]]) assertEquals([...await client.list()], []);
  for (const client of idle) await client.quit();
  const event = await server.waitFor((e) =>
    e.action === "disconnect" && e.result.includes("idle the longest")
  );
  assertStringIncludes(event.result, "closed to make room");
});

Deno.test("a session in the middle of a command never gives way: the newcomer hears that the server is full", async () => {
  await using server = await testServer({ limits: { maxSessions: 1 } });
  await Deno.writeFile(server.root.file("big"), new Uint8Array(64 << 20));
  using busy = await RawClient.connect(server.port);
  await busy.command("get big");
  const { port } = await busy.reply() as { port: number };
  using data = await RawClient.connect(port); // ...and reads nothing for now.
  await using newcomer = await connect({ port: server.port });
  await assertRejects(() => newcomer.list(), RemoteError, "The server is full (at most 1 at once)");
  assertEquals((await data.reader.readFrame(64 << 20))!.byteLength, 64 << 20, "the get went on");
});

Deno.test("an idle control connection is closed with a reason", async () => {
  await using server = await testServer({ limits: { idleTimeout: 50 } });
  using raw = await RawClient.connect(server.port);
  assertEquals(await raw.reply(), { refused: "Closed after 0.05 s without a command" });
  assertEquals(await raw.closedByServer(), true);
  await connect({ port: server.port }).then((c) => c.quit());
});

Deno.test("a client whose idle session was closed hears why, then knows it is over", async () => {
  await using server = await testServer({ limits: { idleTimeout: 50 } });
  await using client = await connect({ port: server.port });
  await server.waitFor((e) => e.result === "closed: Closed after 0.05 s without a command");
  await assertRejects(
    () => client.list(),
    RemoteError,
    "The server ended the session: Closed after 0.05 s without a command",
  );
  assertEquals(client.closed, true);
});

Deno.test("a peer trickling a command is cut off by the command deadline", async () => {
  await using server = await testServer({ limits: { commandTimeout: 50 } });
  using raw = await RawClient.connect(server.port);
  await raw.send("00000");
  assertEquals(await raw.reply(), { refused: "Command not received within 0.05 s" });
  assertEquals(await raw.closedByServer(), true);
});

Deno.test("a transfer the client stops reading is ended by the stall watchdog", async () => {
  await using server = await testServer({ limits: { stallTimeout: 100 } });
  await Deno.writeFile(server.root.file("big"), new Uint8Array(64 << 20));
  using raw = await RawClient.connect(server.port);
  await raw.command("get big");
  const { port } = await raw.reply() as { port: number };
  using data = await Deno.connect({ hostname: "127.0.0.1", port }); // ...and never read
  const event = await server.waitFor((e) => e.action === "get");
  assertEquals(event.result, "failed: Transfer stalled: nothing moved for 0.1 s");
  await raw.command("ls");
  assertEquals("port" in (await raw.reply())!, true, "the session goes on");
  void data;
});

Deno.test("the idle deadline does not fire while a slow transfer runs", async () => {
  await using server = await testServer({ limits: { idleTimeout: 100 } });
  await using local = await tempDir();
  await Deno.writeFile(server.root.file("big"), new Uint8Array(8 << 20));
  using raw = await RawClient.connect(server.port);
  await raw.command("get big");
  const { port } = await raw.reply() as { port: number };
  using data = await RawClient.connect(port);
  // A slow reader: deliberately longer than the idle deadline, not a readiness wait.
  await new Promise((resolve) => setTimeout(resolve, 300));
  assertEquals((await data.reader.readFrame(8 << 20))!.byteLength, 8 << 20);
  assertStartsWith((await server.waitFor((e) => e.action === "get")).result, "ok");
  await raw.command("ls");
  assertEquals("port" in (await raw.reply())!, true, "the session is still open");
  void local;
});

Deno.test("an upload over the size cap is refused before any byte is stored", async () => {
  await using server = await testServer({ limits: { maxUploadBytes: 1000 } });
  await using local = await tempDir();
  await Deno.writeFile(local.file("big"), randomBytes(5000));
  await using client = await connect({ port: server.port });
  await assertRejects(
    () => client.put(local.file("big")),
    RemoteError,
    "Upload of 5000 bytes exceeds this server's limit of 1000 bytes",
  );
  await server.waitFor((e) => e.action === "put");
  assertEquals(await namesIn(server.root.path), []);
});

Deno.test("an upload that would leave too little disk free is refused before any byte is stored", async () => {
  await using server = await testServer({ limits: { minFreeBytes: 10 ** 15 } });
  await using local = await tempDir();
  await Deno.writeFile(local.file("f"), randomBytes(10));
  await using client = await connect({ port: server.port });
  await assertRejects(() => client.put(local.file("f")), RemoteError, "Not enough disk space");
  await server.waitFor((e) => e.action === "put");
  assertEquals(await namesIn(server.root.path), []);
});

Deno.test("a raw put header over the size cap gets an error status at once", async () => {
  await using server = await testServer({ limits: { maxUploadBytes: 10 } });
  using raw = await RawClient.connect(server.port);
  await raw.command("put x");
  const { port } = await raw.reply() as { port: number };
  using data = await RawClient.connect(port);
  await data.send(encodeField(9_999_999_999));
  const status = new TextDecoder().decode((await data.reader.readFrame(4096))!);
  assertEquals(status, "error Upload of 9999999999 bytes exceeds this server's limit of 10 bytes");
});

Deno.test("a client that never reads its replies cannot hold a session", async () => {
  await using server = await testServer({ limits: { commandTimeout: 100 } });
  using raw = await RawClient.connect(server.port);
  // 300,000 bad commands whose refusals (~24 MB) fill every buffer between us.
  const flood = new TextEncoder().encode("0000000001x".repeat(300_000));
  const sending = raw.send(flood).catch(() => {}); // Fails once the server gives up.
  const event = await server.waitFor((e) => e.action === "disconnect");
  assertEquals(event.result, "failed: The client stopped reading replies for 0.1 s");
  await sending;
  await connect({ port: server.port }).then((client) => client.quit());
});

Deno.test("a slow but steady reader is not mistaken for a stalled one", async () => {
  await using server = await testServer({ limits: { stallTimeout: 300 } });
  await Deno.writeFile(server.root.file("f"), randomBytes(2 << 20));
  using raw = await RawClient.connect(server.port);
  await raw.command("get f");
  const { port } = await raw.reply() as { port: number };
  using data = await Deno.connect({ hostname: "127.0.0.1", port });
  // 64 KiB every 25 ms: a whole 1 MiB chunk takes 400 ms, longer than the stall timeout.
  const buffer = new Uint8Array(64 << 10);
  let received = 0;
  for (let reads = 0; reads < 200; reads++) {
    const n = await data.read(buffer);
    if (n === null) break;
    received += n;
    await new Promise((resolve) => setTimeout(resolve, 25)); // Deliberately slow.
  }
  const event = await server.waitFor((e) => e.action === "get");
  assertStartsWith(event.result, "ok", event.result);
  assertEquals(received > 2 << 20, true);
});

/**
 * The extension mechanism end to end: `feat` between a ferry client and server, and
 * every way a base-protocol server can say no. A base peer never sees `feat` unless
 * the user asks for an extension.
 */
import { connect } from "../../src/client/connect.ts";
import { UnsupportedError } from "../../src/common/errors.ts";
import { encodeField, encodeFrame } from "../../src/protocol/field.ts";
import type { Feature } from "../../src/protocol/features.ts";
import { assertEquals, assertRejects } from "../support/assert.ts";
import { RawClient, tempDir, testServer } from "../support/helpers.ts";
import { scriptedServer } from "../support/scripted_server.ts";

const SERVER_SIDE: Feature[] = [{ name: "abort" }, { name: "digest", values: ["sha256"] }];
const CLIENT_SIDE: Feature[] = [
  { name: "digest", values: ["xxh128", "sha256"] },
  { name: "abort" },
  { name: "future-thing" },
];

Deno.test("a ferry client and server agree on what both support, in one round trip", async () => {
  await using server = await testServer({ features: SERVER_SIDE });
  await using client = await connect({ port: server.port, features: CLIENT_SIDE });
  const agreed = await client.features();
  assertEquals(agreed.toString(), "abort digest=sha256");
  assertEquals(await client.features(), agreed, "asked once, then remembered");
  await client.require("abort");
  await assertRejects(() => client.require("future-thing"), UnsupportedError, "does not support");
  const feat = server.events.filter((e) => e.action === "feat");
  assertEquals(feat.map((e) => e.result), ["ok: abort digest=sha256"]);
});

Deno.test("the session goes on in the base protocol after feat", async () => {
  await using server = await testServer({ features: SERVER_SIDE });
  await using local = await tempDir();
  await Deno.writeTextFile(server.root.file("f"), "after feat");
  await using client = await connect({ port: server.port, features: CLIENT_SIDE });
  await client.features();
  const result = await client.get("f", local.file("f"));
  assertEquals([result.verified, await Deno.readTextFile(local.file("f"))], [true, "after feat"]);
});

Deno.test("ls, get and put never send feat on their own", async () => {
  await using server = await testServer({ features: SERVER_SIDE });
  await using local = await tempDir();
  await Deno.writeTextFile(local.file("up"), "x");
  {
    await using client = await connect({ port: server.port, features: CLIENT_SIDE });
    await client.put(local.file("up"));
    await client.get("up", local.file("down"));
    await client.list();
  }
  await server.waitFor((e) => e.action === "quit");
  assertEquals(server.events.map((e) => e.action), ["connect", "put", "get", "ls", "quit"]);
});

Deno.test("a second feat in one session is refused", async () => {
  await using server = await testServer({ features: SERVER_SIDE });
  using raw = await RawClient.connect(server.port);
  await raw.command("feat abort");
  assertEquals(new TextDecoder().decode((await raw.reader.readFrame(4096))!), "ok abort");
  await raw.command("feat abort");
  assertEquals(await raw.reply(), { refused: "Features were agreed already in this session" });
});

Deno.test("a malformed feat is refused and agrees nothing", async () => {
  await using server = await testServer({ features: SERVER_SIDE });
  using raw = await RawClient.connect(server.port);
  await raw.command("feat Bad=Token");
  assertEquals(await raw.reply(), {
    refused: 'Feature "Bad=Token" is not a name or name=value,...',
  });
  await raw.command("feat abort");
  assertEquals(new TextDecoder().decode((await raw.reader.readFrame(4096))!), "ok abort");
});

/** How base-protocol servers answer a command they do not know. */
const BASE_REFUSALS: [string, Uint8Array][] = [
  ["a zero field and a message", encodeFrame("")],
  ["-1", new TextEncoder().encode("        -1")],
  ["a frame holding -1", encodeFrame("-1")],
];

for (const [how, answer] of BASE_REFUSALS) {
  Deno.test(`a base server that answers feat with ${how} has no extensions`, async () => {
    const zeroAndMessage = how.startsWith("a zero");
    await using server = scriptedServer(async (control) => {
      const feat = new TextDecoder().decode((await control.reader.readFrame(4096))!);
      assertEquals(feat, "feat digest=xxh128,sha256 abort future-thing");
      await control.send(
        zeroAndMessage ? encodeField(0) : new Uint8Array(),
        zeroAndMessage ? encodeFrame('Unknown command "feat"') : answer,
      );
      assertEquals(new TextDecoder().decode((await control.reader.readFrame(4096))!), "quit");
    });
    await using client = await connect({ port: server.port, features: CLIENT_SIDE });
    assertEquals((await client.features()).size, 0);
    const error = await assertRejects(() => client.require("abort"), UnsupportedError);
    assertEquals(error.message, `The server at 127.0.0.1:${server.port} does not support "abort"`);
    assertEquals(client.closed, false, "the session goes on");
  });
}

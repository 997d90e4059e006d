/**
 * Shutting down: no more connections, idle sessions closed with a goodbye, commands
 * under way given a grace period to finish, then ended, with uploads cut leaving
 * nothing and the log in ferry's own words.
 */
import { assert, assertEquals, assertRejects, assertStartsWith } from "../support/assert.ts";
import { connect } from "../../src/client/connect.ts";
import { ConnectError, RemoteError } from "../../src/common/errors.ts";
import { encodeField } from "../../src/protocol/field.ts";
import { namesIn, RawClient, tempDir, testServer } from "../support/helpers.ts";

Deno.test("a shutdown with a grace period lets a transfer under way finish, and closes idle sessions at once", async () => {
  await using server = await testServer();
  await using local = await tempDir();
  await Deno.writeFile(server.root.file("big"), new Uint8Array(16 << 20));
  await using idle = await connect({ port: server.port });
  await using busy = await connect({ port: server.port });
  let stopping: Promise<void> | undefined;
  const got = await busy.get("big", local.file("big"), {
    onProgress: (bytes) => {
      if (bytes > 1 << 20) stopping ??= server.server.shutdown({ grace: 60_000 });
    },
  });
  assertEquals(got.verified, true);
  await stopping;
  await assertRejects(
    () => idle.list(),
    RemoteError,
    "The server ended the session: The server is shutting down",
  );
  await assertRejects(() => connect({ port: server.port }), ConnectError);
  const get = await server.waitFor((e) => e.action === "get");
  assertStartsWith(get.result, "ok: sha256 ");
});

Deno.test("an upload still under way when the grace period ends is cut, leaves nothing, and says why", async () => {
  await using server = await testServer();
  using raw = await RawClient.connect(server.port);
  await raw.command("put slow.bin");
  const { port } = await raw.reply() as { port: number };
  using data = await RawClient.connect(port);
  await data.send(encodeField(10_000_000), new Uint8Array(100_000)); // ...and the rest never.
  const started = performance.now();
  await server.server.shutdown({ grace: 200 });
  assert(performance.now() - started < 5_000, "the grace period was not kept to");
  const put = await server.waitFor((e) => e.action === "put");
  assertEquals(put.result, "failed: The server shut down during the command");
  assertEquals(put.bytes! > 0, true);
  assertEquals(await namesIn(server.root.path), []);
  for (const event of server.events) {
    assert(!/operation canceled|resource|Bad resource/i.test(event.result), event.result);
  }
});

Deno.test("a second shutdown ends the commands under way at once", async () => {
  await using server = await testServer();
  using raw = await RawClient.connect(server.port);
  await raw.command("put slow.bin");
  const { port } = await raw.reply() as { port: number };
  using data = await RawClient.connect(port);
  await data.send(encodeField(10_000_000), new Uint8Array(1000));
  const first = server.server.shutdown({ grace: 600_000 });
  const started = performance.now();
  await server.server.shutdown();
  await first;
  assert(performance.now() - started < 5_000);
  assertEquals(await namesIn(server.root.path), []);
});

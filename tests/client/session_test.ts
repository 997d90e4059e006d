import { assertEquals, assertRejects } from "../support/assert.ts";
import { connect } from "../../src/client/connect.ts";
import { UnsupportedError } from "../../src/common/errors.ts";
import { testServer } from "../support/helpers.ts";

Deno.test("a session asks for features once, and only when something needs one", async () => {
  await using server = await testServer();
  await using client = await connect({ port: server.port });
  assertEquals(client.agreed, undefined, "nothing asked yet");
  await client.require("path");
  await client.require("hash");
  assertEquals(client.agreed?.toString(), "path list-long manage hash frames digest=xxh128 inline");
  assertEquals(server.events.filter((e) => e.action === "feat").length, 1);
});

Deno.test("a missing extension is named with what it is for, where ferry knows", async () => {
  await using server = await testServer({ features: [] });
  await using client = await connect({ port: server.port });
  const known = await assertRejects(() => client.require("manage"), UnsupportedError);
  assertEquals(
    known.message,
    `The server at 127.0.0.1:${server.port} does not support changing files and folders (the "manage" extension)`,
  );
  const unknown = await assertRejects(() => client.require("teleport"), UnsupportedError);
  assertEquals(
    unknown.message,
    `The server at 127.0.0.1:${server.port} does not support "teleport"`,
  );
});

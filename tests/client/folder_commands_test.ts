import { assertEquals, assertRejects } from "../support/assert.ts";
import { connect } from "../../src/client/connect.ts";
import { ProtocolError, UsageError } from "../../src/common/errors.ts";
import { encodeField, encodeFrame } from "../../src/protocol/field.ts";
import { testServer } from "../support/helpers.ts";
import { scriptedServer } from "../support/scripted_server.ts";

Deno.test("a malformed answer to cd or hash is the server breaking the protocol", async () => {
  for (
    const [verb, answer, message] of [
      ["cd", "ok photos", "The server's answer to cd is malformed"],
      ["hash", "ok md5 abc", "The server's answer to hash is malformed"],
    ]
  ) {
    await using server = scriptedServer(async (control) => {
      await control.reader.readFrame(4096); // feat
      await control.sendFrame("ok path hash");
      await control.reader.readFrame(4096);
      await control.sendFrame(answer);
      await control.reader.closesWithin(5_000);
    });
    await using client = await connect({ port: server.port });
    const call = verb === "cd" ? () => client.cd("photos") : () => client.hash("f");
    await assertRejects(call, ProtocolError, message);
  }
});

Deno.test("changes to the current folder itself are refused before anything is sent", async () => {
  await using server = await testServer();
  await using client = await connect({ port: server.port });
  await assertRejects(() => client.rmdir("/"), UsageError, '"/" is the current folder');
  await assertRejects(() => client.rename("/", "x"), UsageError, '"/" is the current folder');
  assertEquals(server.events.map((e) => e.action), ["connect", "feat"]);
});

Deno.test("a refused base feat is read as no extensions", async () => {
  await using server = scriptedServer(async (control) => {
    await control.reader.readFrame(4096);
    await control.send(encodeField(0), encodeFrame("What?"));
    await control.reader.closesWithin(5_000);
  });
  await using client = await connect({ port: server.port });
  await assertRejects(
    () => client.mkdir("x"),
    Error,
    "does not support changing files and folders",
  );
});

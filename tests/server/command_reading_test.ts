/**
 * `readEvent()` over a real loopback connection: a command split across writes, an
 * active dialect's port frame, and both deadlines, each of which says goodbye first.
 */

import { assertEquals, assertRejects } from "../support/assert.ts";
import { TransferError } from "../../src/common/errors.ts";
import { DIALECTS } from "../../src/protocol/dialects.ts";
import { encodeFrame } from "../../src/protocol/field.ts";
import { ServerConnection } from "../../src/protocol/server_connection.ts";
import { readEvent } from "../../src/server/command_reading.ts";
import { channelPair } from "../support/helpers.ts";

const LIMITS = { idleTimeout: 5_000, commandTimeout: 5_000 };

Deno.test("`readEvent()` waits for a command split across writes, with its port frame", async () => {
  const [server, client] = await channelPair();
  using _server = server;
  using _client = client;
  const machine = new ServerConnection(DIALECTS.active);
  const goodbyes: string[] = [];
  const event = readEvent(server, machine, {
    limits: LIMITS,
    goodbye: (reason) => Promise.resolve(void goodbyes.push(reason)),
  });
  const bytes = encodeFrame("get a.txt");
  await client.write(bytes.subarray(0, 4));
  await client.write(bytes.subarray(4));
  await client.write(encodeFrame("41234"));
  assertEquals(await event, { type: "command", command: { verb: "get", name: "a.txt" } });
  assertEquals([machine.clientPort, goodbyes], [41234, []]);
});

Deno.test("`readEvent()` says goodbye and ends the session when no command comes in time", async () => {
  const [server, client] = await channelPair();
  using _server = server;
  using _client = client;
  const goodbyes: string[] = [];
  await assertRejects(
    () =>
      readEvent(server, new ServerConnection(), {
        limits: { ...LIMITS, idleTimeout: 50 },
        goodbye: (reason) => Promise.resolve(void goodbyes.push(reason)),
      }),
    TransferError,
    "Closed after 0.05 s without a command",
  );
  assertEquals(goodbyes, ["Closed after 0.05 s without a command"]);
});

Deno.test("`readEvent()` bounds a command that has started but does not finish, goodbye or not", async () => {
  const [server, client] = await channelPair();
  using _server = server;
  using _client = client;
  const event = readEvent(server, new ServerConnection(), {
    limits: { ...LIMITS, commandTimeout: 50 },
    // A client that cannot hear the goodbye still has its session ended, with the reason.
    goodbye: () => Promise.reject(new TransferError("The client is gone")),
  });
  await client.write(encodeFrame("get a.txt").subarray(0, 12));
  await assertRejects(() => event, TransferError, "Command not received within 0.05 s");
});

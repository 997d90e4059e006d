/**
 * `CommandReader` over a real loopback connection: a command split across writes, an
 * active dialect's port frame, both deadlines (each of which says goodbye first), and
 * a session asked to stop, which stops at once while it waits idle and only after the
 * command under way otherwise; either way the client hears why.
 */
import { assertEquals, assertRejects } from "../support/assert.ts";
import { CommandReader, SessionClosed } from "../../src/server/command_reader.ts";
import { DIALECTS } from "../../src/protocol/dialects.ts";
import { encodeFrame } from "../../src/protocol/field.ts";
import { ServerConnection } from "../../src/protocol/server_connection.ts";
import type { Channel } from "../../src/transport/channel.ts";
import { channelPair } from "../support/helpers.ts";
import { PeerReader } from "../support/peer.ts";

const LIMITS = { idleTimeout: 60_000, commandTimeout: 60_000 };

function reader(
  control: Channel,
  {
    machine = new ServerConnection(),
    limits = LIMITS,
    send = (bytes: Uint8Array) => control.write(bytes),
  }: {
    machine?: ServerConnection;
    limits?: typeof LIMITS;
    send?: (bytes: Uint8Array) => Promise<void>;
  } = {},
) {
  return { commands: new CommandReader({ control, machine, limits, send }), machine };
}

/** What the client heard: the goodbye (a refusal nobody asked for), as its message. */
async function goodbyeHeard(client: Channel): Promise<string> {
  const peer = new PeerReader(client);
  assertEquals(new TextDecoder().decode((await peer.readExact(10))!), "0000000000");
  return new TextDecoder().decode((await peer.readFrame(4096))!);
}

Deno.test("`CommandReader` waits for a command split across writes, with its port frame", async () => {
  const [server, client] = await channelPair();
  using _server = server;
  using _client = client;
  const { commands, machine } = reader(server, { machine: new ServerConnection(DIALECTS.active) });
  const event = commands.next();
  const bytes = encodeFrame("get a.txt");
  await client.write(bytes.subarray(0, 4));
  await client.write(bytes.subarray(4));
  await client.write(encodeFrame("41234"));
  assertEquals(await event, { type: "command", command: { verb: "get", name: "a.txt" } });
  assertEquals(machine.clientPort, 41234);
});

Deno.test("`CommandReader` says goodbye and ends the session when no command comes in time", async () => {
  const [server, client] = await channelPair();
  using _server = server;
  using _client = client;
  const { commands } = reader(server, { limits: { ...LIMITS, idleTimeout: 50 } });
  await assertRejects(
    () => commands.next(),
    SessionClosed,
    "Closed after 0.05 s without a command",
  );
  assertEquals(await goodbyeHeard(client), "Closed after 0.05 s without a command");
});

Deno.test("`CommandReader` bounds a command that has started but does not finish, goodbye or not", async () => {
  const [server, client] = await channelPair();
  using _server = server;
  using _client = client;
  const { commands } = reader(server, {
    limits: { ...LIMITS, commandTimeout: 50 },
    // A client that cannot hear the goodbye still has its session ended, with the reason.
    send: () => Promise.reject(new Error("The client is gone")),
  });
  const event = commands.next();
  await client.write(encodeFrame("get a.txt").subarray(0, 12));
  await assertRejects(() => event, SessionClosed, "Command not received within 0.05 s");
});

Deno.test("`CommandReader` stopped while idle says goodbye at once and ends the session", async () => {
  const [server, client] = await channelPair();
  using _server = server;
  using _client = client;
  const { commands } = reader(server);
  const next = commands.next();
  commands.stop("The server is shutting down");
  await assertRejects(() => next, SessionClosed, "The server is shutting down");
  assertEquals(await goodbyeHeard(client), "The server is shutting down");
});

Deno.test("`CommandReader` stopped while a command arrives reads it whole, then stops before the next", async () => {
  const [server, client] = await channelPair();
  using _server = server;
  using _client = client;
  const { commands, machine } = reader(server);
  const frame = encodeFrame("ls");
  machine.receive(frame.subarray(0, 5)); // A command has begun...
  const next = commands.next();
  commands.stop("The server is shutting down");
  await client.write(frame.subarray(5)); // ...and is finished.
  assertEquals(await next, { type: "command", command: { verb: "ls" } });
  await server.write(machine.sendRefusal("Not today")); // The command is answered.
  await assertRejects(() => commands.next(), SessionClosed, "The server is shutting down");
});

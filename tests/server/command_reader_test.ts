/**
 * `CommandReader`: a session asked to stop stops at once while it waits idle, and only
 * after the command under way otherwise; either way the client hears why.
 */
import { assertEquals, assertRejects } from "../support/assert.ts";
import { CommandReader, SessionClosed } from "../../src/server/command_reader.ts";
import { ServerConnection } from "../../src/protocol/server_connection.ts";
import { encodeFrame } from "../../src/protocol/field.ts";
import { Channel } from "../../src/transport/channel.ts";
import { tcp } from "../../src/transport/tcp.ts";
import { PeerReader } from "../support/peer.ts";

async function pair(): Promise<{ server: Channel; client: Channel } & Disposable> {
  const listener = tcp.listen({ hostname: "127.0.0.1", port: 0 });
  const [a, b] = await Promise.all([listener.accept(), tcp.connect(listener.addr)]);
  listener.close();
  const [server, client] = [new Channel(a), new Channel(b)];
  return { server, client, [Symbol.dispose]: () => (server.close(), client.close()) };
}

function reader(control: Channel) {
  const machine = new ServerConnection();
  const commands = new CommandReader({
    control,
    machine,
    limits: { idleTimeout: 60_000, commandTimeout: 60_000 },
    send: (bytes) => control.write(bytes),
  });
  return { commands, machine };
}

Deno.test("`CommandReader` stopped while idle says goodbye at once and ends the session", async () => {
  using channels = await pair();
  const { commands } = reader(channels.server);
  const next = commands.next();
  commands.stop("The server is shutting down");
  await assertRejects(() => next, SessionClosed, "The server is shutting down");
  const peer = new PeerReader(channels.client);
  assertEquals(new TextDecoder().decode((await peer.readExact(10))!), "0000000000");
  assertEquals(
    new TextDecoder().decode((await peer.readFrame(4096))!),
    "The server is shutting down",
  );
});

Deno.test("`CommandReader` stopped while a command arrives reads it whole, then stops before the next", async () => {
  using channels = await pair();
  const { commands, machine } = reader(channels.server);
  const frame = encodeFrame("ls");
  machine.receive(frame.subarray(0, 5)); // A command has begun...
  const next = commands.next();
  commands.stop("The server is shutting down");
  await channels.client.write(frame.subarray(5)); // ...and is finished.
  assertEquals(await next, { type: "command", command: { verb: "ls" } });
  await channels.server.write(machine.sendRefusal("Not today")); // The command is answered.
  await assertRejects(() => commands.next(), SessionClosed, "The server is shutting down");
});

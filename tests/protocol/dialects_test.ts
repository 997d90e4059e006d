/**
 * The dialect table and both control-connection machines speaking each dialect
 * (PROTOCOL.md §15), fed bytes whole and one at a time. Kept beside, not inside, the
 * machines' own tests: those cover the `ferry` dialect.
 */
import { assertEquals, assertThrows } from "../support/assert.ts";
import { ClientConnection, type ClientEvent } from "../../src/protocol/client_connection.ts";
import type { Command } from "../../src/protocol/commands.ts";
import {
  type Dialect,
  DIALECTS,
  FERRY_DIALECT,
  formatActiveCommand,
  formatDialectRefusal,
  formatPortReply,
  isActive,
  isDialectName,
  parseDataPort,
  splitInlinePort,
} from "../../src/protocol/dialects.ts";
import { ServerConnection, type ServerEvent } from "../../src/protocol/server_connection.ts";

const ascii = (text: string) => new TextEncoder().encode(text);
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const { framed, active } = DIALECTS;
const inline = DIALECTS["active-inline"];

Deno.test("`DIALECTS` names each dialect by its key, and ferry is the default", () => {
  for (const [name, dialect] of Object.entries(DIALECTS)) assertEquals(dialect.name, name);
  assertEquals(FERRY_DIALECT, DIALECTS.ferry);
  assertEquals(Object.keys(DIALECTS).filter(isDialectName).length, 4);
  assertEquals([isDialectName("Framed"), isDialectName("toString")], [false, false]);
  assertEquals(Object.values(DIALECTS).map(isActive), [false, false, true, true]);
});

Deno.test("`formatPortReply()` sends a bare field or a frame, and never in an active dialect", () => {
  assertEquals(text(formatPortReply(FERRY_DIALECT, 41234)), "0000041234");
  assertEquals(text(formatPortReply(framed, 41234)), "000000000541234");
  assertThrows(() => formatPortReply(active, 41234), TypeError);
});

Deno.test("`formatDialectRefusal()` keeps the reason only where the form has room", () => {
  assertEquals(text(formatDialectRefusal(active, "No")), "00000000000000000002No");
  assertEquals(text(formatDialectRefusal(framed, "No")), "0000000002-1");
});

Deno.test("`formatActiveCommand()` puts the port in a frame of its own, or at the end", () => {
  assertEquals(
    text(formatActiveCommand(active, "get a b", 41234)),
    "0000000007get a b000000000541234",
  );
  assertEquals(text(formatActiveCommand(inline, "get a b", 41234)), "0000000013get a b 41234");
  assertThrows(() => formatActiveCommand(framed, "ls", 41234), TypeError);
});

Deno.test("`parseDataPort()` takes 1 to 65535 as 1 to 5 digits", () => {
  assertEquals(["1", "00080", "65535"].map(parseDataPort), [1, 80, 65535]);
  for (const bad of ["0", "65536", "", " 80", "8O", "-1", "123456"]) {
    assertEquals(parseDataPort(bad), undefined, bad);
  }
});

Deno.test("`splitInlinePort()` takes the last word, so names keep their spaces", () => {
  assertEquals(splitInlinePort("get a b.txt 41234"), { text: "get a b.txt", port: 41234 });
  assertEquals(splitInlinePort("ls 5000"), { text: "ls", port: 5000 });
  assertEquals(splitInlinePort("get 2024 41234"), { text: "get 2024", port: 41234 });
  assertEquals(splitInlinePort("get a.txt"), undefined);
  assertEquals(splitInlinePort("ls"), undefined);
});

/** Feeds `bytes` to a server machine `size` at a time; returns every event but need-data. */
function serverEvents(dialect: Dialect, bytes: string, size: number) {
  const server = new ServerConnection(dialect);
  const events: (ServerEvent & { port?: number })[] = [];
  const drain = () => {
    while (server.state === "reading") {
      const event = server.next();
      if (event.type === "need-data") return;
      events.push(event.type === "command" ? { ...event, port: server.clientPort } : event);
      // Back to reading (a state the event changed, which TypeScript cannot see).
      if ((server.state as string) === "replying") server.sendRefusal("done");
    }
  };
  for (let offset = 0; offset < bytes.length; offset += size) {
    server.receive(ascii(bytes.slice(offset, offset + size)));
    drain();
  }
  server.receiveEnd();
  drain();
  return events;
}

const SIZES = [Infinity, 1, 7];

for (const size of SIZES) {
  Deno.test(`\`ServerConnection\` in active reads the port frame after ls, get and put (${size})`, () => {
    const bytes = "0000000002ls000000000541234" + "0000000009get a b.c000000000541235" +
      "0000000004quit";
    assertEquals(serverEvents(active, bytes, size), [
      { type: "command", command: { verb: "ls" }, port: 41234 },
      { type: "command", command: { verb: "get", name: "a b.c" }, port: 41235 },
      { type: "command", command: { verb: "quit" }, port: undefined },
    ]);
  });

  Deno.test(`\`ServerConnection\` in active-inline takes the port off the end (${size})`, () => {
    const bytes = "0000000008ls 41234" + "0000000015get a b.c 41235" + "0000000004quit";
    assertEquals(serverEvents(inline, bytes, size), [
      { type: "command", command: { verb: "ls" }, port: 41234 },
      { type: "command", command: { verb: "get", name: "a b.c" }, port: 41235 },
      { type: "command", command: { verb: "quit" }, port: undefined },
    ]);
  });
}

Deno.test("`ServerConnection` in active refuses a port frame that is not a port, in step", () => {
  assertEquals(serverEvents(active, "0000000007get a.b0000000002ls0000000004quit", Infinity), [
    {
      type: "invalid",
      reason: 'Expected the data port (1 to 65535) as a frame after the command, got "ls"',
    },
    { type: "command", command: { verb: "quit" }, port: undefined },
  ]);
});

Deno.test("`ServerConnection` in active reads the port even after a command it refuses", () => {
  const events = serverEvents(active, "0000000008get ../x000000000541234" + "0000000004quit", 1);
  assertEquals(events.map((e) => e.type), ["invalid", "command"]);
});

Deno.test("`ServerConnection` in active-inline refuses a command without its port", () => {
  assertEquals(serverEvents(inline, "0000000009get a.txt0000000002ls", Infinity), [
    { type: "invalid", reason: "Command get needs the data port at its end: get NAME PORT" },
    { type: "invalid", reason: "Command ls needs the data port at its end: ls PORT" },
    { type: "end", clean: true },
  ]);
});

Deno.test("`ServerConnection` waiting for a port frame is not idle, and an end there is unclean", () => {
  const server = new ServerConnection(active);
  server.receive(ascii("0000000002ls"));
  assertEquals(server.next(), { type: "need-data", idle: false });
  assertEquals(server.idle, false);
  server.receiveEnd();
  assertEquals(server.next(), { type: "end", clean: false });
});

Deno.test("`ServerConnection` answers in the dialect's forms, and only those it has", () => {
  const framedServer = new ServerConnection(framed);
  framedServer.receive(ascii("0000000002ls"));
  framedServer.next();
  assertEquals(text(framedServer.sendListing(ascii("a\n"))), "0000000002a\n");
  assertEquals(text(framedServer.goodbye("bye")), "0000000002-1");

  const ferry = new ServerConnection();
  ferry.receive(ascii("0000000002ls"));
  ferry.next();
  assertThrows(() => ferry.sendListing(ascii("a\n")), TypeError);
  assertThrows(() => ferry.connected(), TypeError); // No client port in a passive dialect.

  const activeServer = new ServerConnection(active);
  activeServer.receive(ascii("0000000002ls000000000541234"));
  activeServer.next();
  activeServer.connected();
  assertEquals(activeServer.state, "transferring");
});

/** A client machine in `dialect` that sent `command` (with `port`) and got `reply`. */
function clientReply(dialect: Dialect, command: Command, reply: string, port?: number) {
  const client = new ClientConnection(dialect);
  const sent = text(client.sendCommand(command, port));
  const events: ClientEvent[] = [];
  for (const size of SIZES) {
    const fresh = new ClientConnection(dialect);
    fresh.sendCommand(command, port);
    let event: ClientEvent = { type: "need-data" };
    for (let offset = 0; offset < reply.length; offset += size) {
      fresh.receive(ascii(reply.slice(offset, offset + size)));
      event = fresh.next();
      if (event.type !== "need-data") break;
    }
    events.push(event);
  }
  // Whole or in pieces, the same event.
  assertEquals(events.slice(1), [events[0], events[0]]);
  return { sent, event: events[0] };
}

const GET: Command = { verb: "get", name: "a.txt" };

Deno.test("`ClientConnection` in framed reads a framed port, -1, a reason, an empty frame", () => {
  assertEquals(clientReply(framed, GET, "000000000541234").event, { type: "port", port: 41234 });
  assertEquals(clientReply(framed, GET, "0000000002-1").event, {
    type: "refused",
    message: undefined,
  });
  assertEquals(clientReply(framed, GET, "0000000009not found").event, {
    type: "refused",
    message: "not found",
  });
  assertEquals(clientReply(framed, GET, "0000000000").event, {
    type: "refused",
    message: undefined,
  });
});

Deno.test("`ClientConnection` in framed reads ls's answer as the listing, even a short one", () => {
  const ls: Command = { verb: "ls" };
  assertEquals(clientReply(framed, ls, "0000000004a\nb\n").event, {
    type: "listing",
    bytes: ascii("a\nb\n"),
  });
  assertEquals(clientReply(framed, ls, "0000000000").event, {
    type: "listing",
    bytes: new Uint8Array(),
  });
  assertEquals(clientReply(framed, ls, "0000000002-1").event.type, "refused");
});

Deno.test("`ClientConnection` in an active dialect sends its port and reads only refusals", () => {
  const { sent, event } = clientReply(active, GET, "00000000000000000002no", 41234);
  assertEquals([sent, event], ["0000000009get a.txt000000000541234", {
    type: "refused",
    message: "no",
  }]);
  assertEquals(clientReply(inline, GET, "0000000002-1", 41234).sent, "0000000015get a.txt 41234");
  assertEquals(clientReply(inline, GET, "0000000004Nope", 41234).event, {
    type: "refused",
    message: "Nope",
  });
});

Deno.test("`ClientConnection` in an active dialect takes the server's connection as the answer", () => {
  const client = new ClientConnection(active);
  client.sendCommand(GET, 41234);
  assertEquals(client.next(), { type: "need-data" });
  client.connected();
  assertEquals(client.state, "transferring");
  client.endTransfer();
  assertEquals(client.state, "ready");
  // quit and feat carry no port; a passive dialect never takes one.
  assertEquals(text(client.sendCommand({ verb: "quit" })), "0000000004quit");
  assertThrows(() => new ClientConnection(active).sendCommand(GET), TypeError);
  assertThrows(() => new ClientConnection().sendCommand(GET, 41234), TypeError);
  const passive = new ClientConnection(framed);
  passive.sendCommand(GET);
  assertThrows(() => passive.connected(), TypeError);
});

import { assertEquals, assertThrows } from "../support/assert.ts";
import { ProtocolError, TransferError } from "../../src/common/errors.ts";
import { ClientConnection, type ClientEvent } from "../../src/protocol/client_connection.ts";
import type { Command } from "../../src/protocol/commands.ts";
import { agree, type Feature, FeatureSet, offerOf } from "../../src/protocol/features.ts";
import { encodeFrame } from "../../src/protocol/field.ts";
import { formatOk, formatRefusal } from "../../src/protocol/replies.ts";
import { ServerConnection } from "../../src/protocol/server_connection.ts";

const encoder = new TextEncoder();
const ascii = (text: string) => encoder.encode(text);
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

function concat(...parts: (Uint8Array | string)[]): Uint8Array {
  const chunks = parts.map((part) => typeof part === "string" ? ascii(part) : part);
  const all = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all;
}

const SIZES = [Infinity, 1, 3, 7];
const label = (size: number) => size === Infinity ? "whole" : `${size} byte(s) at a time`;

/**
 * Runs `commands` on a fresh client while feeding it the server's `replies` `size`
 * bytes at a time (then the end of stream, if `end`): after each piece it sends the
 * next command whenever the client is ready, ends each transfer at once, and reads
 * replies until the client needs data. Returns the events (without need-data) and the
 * bytes the client sent.
 */
function converse(commands: Command[], replies: Uint8Array, size: number, end = false) {
  const client = new ClientConnection();
  const queue = [...commands];
  const events: ClientEvent[] = [];
  const sent: Uint8Array[] = [];
  const drain = () => {
    for (;;) {
      if (client.state === "transferring") client.endTransfer();
      if (client.state === "ready") {
        const command = queue.shift();
        if (!command) return;
        sent.push(client.sendCommand(command));
      }
      if (client.state !== "awaiting") return;
      const event = client.next();
      if (event.type === "need-data") return;
      events.push(event);
    }
  };
  drain();
  for (let offset = 0; offset < replies.byteLength; offset += size) {
    client.receive(replies.subarray(offset, offset + size));
    drain();
  }
  if (end) {
    client.receiveEnd();
    drain();
  }
  return { client, events, sent: text(concat(...sent)) };
}

/** One command and its reply bytes, read whole; returns the event. */
function reply(command: Command, bytes: Uint8Array | string, end = false): ClientEvent {
  const { events } = converse(
    [command],
    typeof bytes === "string" ? ascii(bytes) : bytes,
    Infinity,
    end,
  );
  assertEquals(events.length, 1, `expected one event, got ${JSON.stringify(events)}`);
  return events[0];
}

const LS: Command = { verb: "ls" };
const FEAT: Command = { verb: "feat", offer: offerOf([{ name: "abort" }]) };

/** A client that sent `command` and received `bytes`, for tests of a failing next(). */
function awaiting(command: Command, bytes: string | Uint8Array, end = false): ClientConnection {
  const client = new ClientConnection();
  client.sendCommand(command);
  client.receive(typeof bytes === "string" ? ascii(bytes) : bytes);
  if (end) client.receiveEnd();
  return client;
}

const SESSION: Command[] = [
  { verb: "ls" },
  { verb: "get", name: "a b.txt" },
  { verb: "put", name: "b" },
  { verb: "get", name: "c" },
  FEAT,
  FEAT,
  { verb: "ls" },
  { verb: "put", name: "d" },
  { verb: "quit" },
];

/** One reply per command of SESSION; a server sends each only after its command. */
const REPLIES = [
  "0000041234", // ls: a bare port.
  concat("0000000005", "41235"), // get: a framed port of five digits.
  formatRefusal('"b" already exists on the server'), // put: a refusal with a message.
  "        -1", // get: a base server's silent refusal.
  formatOk("abort"), // feat: an ok frame.
  "0000000002-1", // feat: a base server's framed -1.
  "     41236", // ls: a space-padded port.
  "00000000000000000000", // put: a refusal with an empty message.
].map((reply) => typeof reply === "string" ? ascii(reply) : reply);

/**
 * Like {@linkcode converse}, but as a real server does it: each reply is fed (in
 * pieces of `size`) only once its command has been sent.
 */
function converseInTurn(commands: Command[], replies: Uint8Array[], size: number) {
  const client = new ClientConnection();
  const events: ClientEvent[] = [];
  const sent: Uint8Array[] = [];
  for (const [index, command] of commands.entries()) {
    if (client.state === "transferring") client.endTransfer();
    sent.push(client.sendCommand(command));
    const reply = replies[index] ?? new Uint8Array();
    for (let offset = 0; offset < reply.byteLength; offset += size) {
      client.receive(reply.subarray(offset, offset + size));
      if (client.state !== "awaiting") continue; // Bytes for later stay stored.
      const event = client.next();
      if (event.type !== "need-data") events.push(event);
    }
  }
  return { client, events, sent: text(concat(...sent)) };
}

for (const size of SIZES) {
  Deno.test(`\`ClientConnection\` reads every reply form, delivered ${label(size)}`, () => {
    const { client, events, sent } = converseInTurn(SESSION, REPLIES, size);
    assertEquals(events, [
      { type: "port", port: 41234 },
      { type: "port", port: 41235 },
      { type: "refused", message: '"b" already exists on the server' },
      { type: "refused", message: undefined },
      { type: "ok", text: "abort" },
      { type: "refused", message: undefined },
      { type: "port", port: 41236 },
      { type: "refused", message: undefined },
    ]);
    assertEquals(
      sent,
      "0000000002ls0000000011get a b.txt0000000005put b0000000005get c" +
        "0000000010feat abort0000000010feat abort0000000002ls0000000005put d0000000004quit",
    );
    assertEquals(client.state, "closed");
  });

  Deno.test(`\`ClientConnection\` reads the end of stream as closed, fed ${label(size)}`, () => {
    const { client, events } = converse([LS, LS], ascii("0000041234"), size, true);
    assertEquals(events, [{ type: "port", port: 41234 }, { type: "closed" }]);
    assertEquals(client.state, "closed");
    assertEquals(client.peerEnded, true);
  });

  Deno.test(`\`ClientConnection\` reads an unasked refusal as the next reply, fed ${label(size)}`, () => {
    // §7.1a: the server refuses nobody's command, then closes.
    const goodbye = formatRefusal("The server is full (at most 512 at once): try again later");
    const { client, events } = converse([LS, LS], goodbye, size, true);
    assertEquals(events, [
      { type: "refused", message: "The server is full (at most 512 at once): try again later" },
      { type: "closed" },
    ]);
    assertEquals(client.peerEnded, true);
  });
}

Deno.test("`ClientConnection.sendCommand()` formats the command as one frame", () => {
  const client = new ClientConnection();
  assertEquals(client.state, "ready");
  assertEquals(
    text(client.sendCommand({ verb: "get", name: "hello.txt" })),
    "0000000013get hello.txt",
  );
  assertEquals(client.state, "awaiting");
});

Deno.test("`ClientConnection.sendCommand()` closes after quit", () => {
  const client = new ClientConnection();
  assertEquals(text(client.sendCommand({ verb: "quit" })), "0000000004quit");
  assertEquals(client.state, "closed");
  assertThrows(
    () => client.next(),
    TypeError,
    "Cannot read a reply while closed: expected awaiting",
  );
});

Deno.test("`ClientConnection` reads a bare port", () => {
  assertEquals(reply(LS, "0000041234"), { type: "port", port: 41234 });
  assertEquals(reply(LS, "41234     "), { type: "port", port: 41234 });
  assertEquals(reply(LS, "0000000006"), { type: "port", port: 6 });
  assertEquals(reply(LS, "0000065535"), { type: "port", port: 65535 });
});

Deno.test("`ClientConnection` goes to transferring on a port, and back to ready", () => {
  const client = awaiting(LS, "0000041234");
  assertEquals(client.next(), { type: "port", port: 41234 });
  assertEquals(client.state, "transferring");
  client.endTransfer();
  assertEquals(client.state, "ready");
});

Deno.test("`ClientConnection` reads a framed port `0000000005`+`41234`", () => {
  assertEquals(reply(LS, "000000000541234"), { type: "port", port: 41234 });
  assertEquals(reply(LS, "00000000017"), { type: "port", port: 7 });
});

Deno.test("`ClientConnection` waits for the rest of a framed port", () => {
  const client = awaiting(LS, "0000000005412");
  assertEquals(client.next(), { type: "need-data" });
  assertEquals(client.state, "awaiting");
  client.receive(ascii("34"));
  assertEquals(client.next(), { type: "port", port: 41234 });
});

Deno.test("`ClientConnection` rejects a framed port that is not 1 to 65535", () => {
  for (
    const [bytes, shown] of [["0000000005655360", "65536"], ["000000000500000", "00000"], [
      "0000000003abc",
      "abc",
    ]]
  ) {
    const client = awaiting(LS, bytes);
    const error = assertThrows(() => client.next(), ProtocolError);
    assertEquals(error.message, `Server replied with port "${shown}": expected 1 to 65535`);
    assertEquals(client.state, "closed");
  }
});

Deno.test("`ClientConnection` reads a refusal with its message", () => {
  assertEquals(
    reply({ verb: "get", name: "nope.txt" }, '00000000000000000023No such file "nope.txt"'),
    { type: "refused", message: 'No such file "nope.txt"' },
  );
});

Deno.test("`ClientConnection` goes back to ready after a refusal", () => {
  const client = awaiting(LS, formatRefusal("no"));
  assertEquals(client.next(), { type: "refused", message: "no" });
  assertEquals(client.state, "ready");
});

Deno.test("`ClientConnection` escapes control characters in a refusal's message", () => {
  assertEquals(
    reply(LS, formatRefusal("\x1b[2Jgone")),
    { type: "refused", message: "\\u001b[2Jgone" },
  );
});

Deno.test("`ClientConnection` decodes a refusal's invalid UTF-8 with U+FFFD", () => {
  assertEquals(
    reply(LS, concat("0000000000", encodeFrame(new Uint8Array([0x6e, 0x6f, 0xff])))),
    { type: "refused", message: "no\ufffd" },
  );
});

Deno.test("`ClientConnection` waits for the whole refusal message", () => {
  const client = awaiting(LS, "00000000000000000005no");
  assertEquals(client.next(), { type: "need-data" });
  client.receive(ascii("pe!"));
  assertEquals(client.next(), { type: "refused", message: "nope!" });
});

Deno.test("`ClientConnection` rejects a refusal message over 4096 bytes", () => {
  const client = awaiting(LS, "00000000000000005000");
  const error = assertThrows(() => client.next(), ProtocolError);
  assertEquals(error.message, "Frame of 5000 bytes exceeds the 4096-byte limit");
  assertEquals(client.state, "closed");
});

Deno.test("`ClientConnection` reports a refusal message cut short", () => {
  const client = awaiting(LS, "00000000000000000023No ", true);
  const error = assertThrows(() => client.next(), TransferError);
  assertEquals(error.message, "Connection closed after 3 of 23 bytes");
  assertEquals(client.state, "closed");
});

Deno.test("`ClientConnection` reads `-1` as a refusal without a message", () => {
  assertEquals(reply(LS, "        -1"), { type: "refused", message: undefined });
  assertEquals(reply(LS, "-000000001"), { type: "refused", message: undefined });
  // Nothing follows a silent refusal: the next bytes are the next reply.
  const { events } = converse([LS, LS], ascii("        -10000041234"), Infinity);
  assertEquals(events, [{ type: "refused", message: undefined }, { type: "port", port: 41234 }]);
});

Deno.test("`ClientConnection` reads an ok frame for `feat`", () => {
  assertEquals(reply(FEAT, formatOk("abort digest=sha256")), {
    type: "ok",
    text: "abort digest=sha256",
  });
  assertEquals(reply(FEAT, formatOk()), { type: "ok", text: "" });
  assertEquals(reply(FEAT, "0000000002ok"), { type: "ok", text: "" });
});

Deno.test("`ClientConnection` reads a non-ok frame answering `feat` as a refusal", () => {
  assertEquals(reply(FEAT, "0000000002-1"), { type: "refused", message: undefined });
  assertEquals(reply(FEAT, encodeFrame("no thanks")), { type: "refused", message: "no thanks" });
  assertEquals(reply(FEAT, encodeFrame("\x1b[2J")), { type: "refused", message: "\\u001b[2J" });
  assertEquals(reply(FEAT, "000000000541234"), { type: "refused", message: "41234" });
});

Deno.test("`ClientConnection` reads a base server's refusal of `feat`", () => {
  const message = 'Unknown command "feat": expected ls, get, put or quit';
  assertEquals(reply(FEAT, formatRefusal(message)), { type: "refused", message });
  assertEquals(reply(FEAT, "        -1"), { type: "refused", message: undefined });
});

Deno.test("`ClientConnection` rejects an ok frame over 4096 bytes before it arrives", () => {
  const client = awaiting(FEAT, "0000005000");
  const error = assertThrows(() => client.next(), ProtocolError);
  assertEquals(error.message, "Frame of 5000 bytes exceeds the 4096-byte limit");
  assertEquals(client.state, "closed");
});

Deno.test("`ClientConnection` waits for the whole ok frame", () => {
  const client = awaiting(FEAT, "0000000008ok ab");
  assertEquals(client.next(), { type: "need-data" });
  client.receive(ascii("ort"));
  assertEquals(client.next(), { type: "ok", text: "abort" });
  assertEquals(client.state, "ready");
});

Deno.test("`ClientConnection` needs data until the reply field is whole", () => {
  const client = awaiting(LS, "00000");
  assertEquals(client.next(), { type: "need-data" });
  assertEquals(client.state, "awaiting");
  client.receive(ascii("41234"));
  assertEquals(client.next(), { type: "port", port: 41234 });
});

Deno.test("`ClientConnection` reads the end of stream while awaiting as closed", () => {
  const client = awaiting(LS, "", true);
  assertEquals(client.peerEnded, true);
  assertEquals(client.next(), { type: "closed" });
  assertEquals(client.state, "closed");
  assertThrows(
    () => client.sendCommand(LS),
    TypeError,
    "Cannot send a command while closed: expected ready",
  );
});

Deno.test("`ClientConnection` reports a reply field cut short", () => {
  const client = awaiting(LS, "0000", true);
  const error = assertThrows(() => client.next(), TransferError);
  assertEquals(error.message, "Connection closed after 4 of 10 bytes");
  assertEquals(client.state, "closed");
});

Deno.test({
  name: "`ClientConnection` reports a framed port or ok frame cut short",
  fn() {
    for (
      const [command, bytes, message] of [
        [LS, "0000000005412", "Connection closed after 3 of 5 bytes"],
        [FEAT, "0000000008ok ab", "Connection closed after 5 of 8 bytes"],
      ] as const
    ) {
      const client = awaiting(command, bytes, true);
      const error = assertThrows(() => client.next(), TransferError);
      assertEquals(error.message, message);
      assertEquals(client.state, "closed");
    }
  },
});

Deno.test("`ClientConnection` rejects a port above 65535", () => {
  const client = awaiting(LS, "0000065536");
  const error = assertThrows(() => client.next(), ProtocolError);
  assertEquals(error.message, "Server replied with port 65536: expected at most 65535");
  assertEquals(client.state, "closed");
});

Deno.test("`ClientConnection` rejects a malformed reply field, quoting it", () => {
  for (const bad of ["00000x0002", "0000 00042", "---------1", "          "]) {
    const client = awaiting(LS, bad);
    const error = assertThrows(() => client.next(), ProtocolError);
    assertEquals(error.message, `Cannot read field "${bad}": expected 10 ASCII digits`);
    assertEquals(client.state, "closed");
  }
});

Deno.test("`ClientConnection` leaves bytes after a reply for the next command", () => {
  const client = awaiting(LS, concat(formatRefusal("no!"), formatRefusal("nope!"), "000000"));
  assertEquals(client.next(), { type: "refused", message: "no!" });
  client.sendCommand({ verb: "get", name: "x" });
  assertEquals(client.next(), { type: "refused", message: "nope!" });
  client.sendCommand(LS);
  assertEquals(client.next(), { type: "need-data" });
  client.receive(ascii("0080"));
  assertEquals(client.next(), { type: "port", port: 80 });
});

Deno.test("`ClientConnection` throws TypeError when a call does not fit the state", () => {
  const client = new ClientConnection();
  assertThrows(
    () => client.next(),
    TypeError,
    "Cannot read a reply while ready: expected awaiting",
  );
  assertThrows(
    () => client.endTransfer(),
    TypeError,
    "Cannot end a transfer while ready: expected transferring",
  );
  client.sendCommand(LS);
  assertThrows(
    () => client.sendCommand(LS),
    TypeError,
    "Cannot send a command while awaiting: expected ready",
  );
  assertThrows(() => client.endTransfer(), TypeError, "Cannot end a transfer while awaiting");
  client.receive(ascii("0000041234"));
  client.next();
  assertThrows(() => client.next(), TypeError, "Cannot read a reply while transferring");
  assertThrows(() => client.sendCommand(LS), TypeError, "Cannot send a command while transferring");
});

Deno.test("`ClientConnection.close()` closes from any state", () => {
  const client = new ClientConnection();
  client.close();
  assertEquals(client.state, "closed");
  assertThrows(() => client.sendCommand(LS), TypeError, "while closed");
});

Deno.test("`ClientConnection.receive()` after the end is a TypeError", () => {
  const client = new ClientConnection();
  client.receiveEnd();
  assertThrows(() => client.receive(ascii("0")), TypeError, "after the end of the stream");
});

for (const size of SIZES) {
  Deno.test(`\`ClientConnection\` reads what \`ServerConnection\` sends, fed ${label(size)}`, () => {
    const supported: Feature[] = [{ name: "abort" }, { name: "digest", values: ["sha256"] }];
    const commands: Command[] = [
      {
        verb: "feat",
        offer: offerOf([{ name: "digest", values: ["xxh128", "sha256"] }, { name: "abort" }]),
      },
      { verb: "get", name: "hello.txt" },
      { verb: "get", name: "nope.txt" },
      { verb: "feat", offer: new Map() },
      { verb: "quit" },
    ];
    const client = new ClientConnection();
    const server = new ServerConnection();
    const events: ClientEvent[] = [];
    for (const command of commands) {
      server.receive(client.sendCommand(command));
      if (client.state === "closed") break;
      const event = server.next();
      let bytes: Uint8Array;
      if (event.type === "invalid") bytes = server.sendRefusal(event.reason);
      else if (event.type !== "command") throw new Error(`Unexpected ${JSON.stringify(event)}`);
      else if (event.command.verb === "feat") {
        bytes = server.sendFeatures(agree(event.command.offer, supported));
      } else if (event.command.verb === "get" && event.command.name === "nope.txt") {
        bytes = server.sendRefusal('No such file "nope.txt"');
      } else bytes = server.sendPort(36729);
      for (let offset = 0; offset < bytes.byteLength; offset += size) {
        client.receive(bytes.subarray(offset, offset + size));
        const reply = client.next();
        if (reply.type !== "need-data") events.push(reply);
      }
      if (client.state === "transferring") {
        client.endTransfer();
        server.endTransfer();
      }
    }
    assertEquals(events, [
      { type: "ok", text: "abort digest=sha256" },
      { type: "port", port: 36729 },
      { type: "refused", message: 'No such file "nope.txt"' },
      { type: "refused", message: "Features were agreed already in this session" },
    ]);
    assertEquals(server.next(), { type: "command", command: { verb: "quit" } });
    assertEquals([client.state, server.state], ["closed", "closed"]);
  });
}

Deno.test("`ClientConnection` reads a field with bytes behind it as a frame, not a port", () => {
  for (const size of SIZES) {
    const listing = "server.log\ns.txt\nnotes.md\n";
    const { events } = converseInTurn([LS], [concat(encodeFrame(listing))], size);
    // Fed a byte at a time, the field arrives alone and cannot be told from a port:
    // the rule needs the frame's bytes to come with its field, as one write sends them.
    const expected: ClientEvent = size === 1
      ? { type: "port", port: 26 }
      : { type: "frame", text: listing };
    assertEquals(events, [expected], label(size));
  }
});

const INLINE = new FeatureSet([["inline", undefined]]);
const fetchOf = (name: string): Command => ({ verb: "fetch", name });

for (const size of SIZES) {
  Deno.test(`\`ClientConnection\` reads pipelined fetch answers in order, fed ${label(size)}`, () => {
    const client = new ClientConnection();
    client.agree(INLINE);
    client.sendCommand(fetchOf("a"));
    client.sendCommand(fetchOf("b"));
    client.sendCommand(fetchOf("c"));
    assertEquals([client.state, client.pending], ["awaiting", 3]);
    const replies = concat(
      formatOk(`sha256 ${"ab".repeat(32)}`),
      encodeFrame("file a"),
      formatRefusal('No such file "b"'),
      formatOk("size 300000"),
    );
    const events: ClientEvent[] = [];
    for (let offset = 0; events.length < 3;) {
      const event = client.next();
      if (event.type !== "need-data") {
        events.push(event);
        continue;
      }
      client.receive(replies.subarray(offset, offset + size));
      offset += size;
    }
    assertEquals(events, [
      { type: "inline", text: `sha256 ${"ab".repeat(32)}`, bytes: ascii("file a") },
      { type: "refused", message: 'No such file "b"' },
      { type: "ok", text: "size 300000" },
    ]);
    assertEquals([client.state, client.pending], ["ready", 0]);
  });
}

Deno.test("`ClientConnection` pipelines only replies on the control connection", () => {
  const client = new ClientConnection();
  client.agree(INLINE);
  client.sendCommand(fetchOf("a"));
  assertThrows(() => client.sendCommand(LS), TypeError, "Cannot send a command while awaiting");
});

Deno.test("`ClientConnection` refuses an inline payload over the limit before reading it", () => {
  const client = new ClientConnection();
  client.agree(INLINE);
  client.sendCommand(fetchOf("a"));
  client.receive(concat(formatOk(`sha256 ${"ab".repeat(32)}`), "0000262145"));
  assertThrows(() => client.next(), ProtocolError, "exceeds the 262144-byte limit");
});

import { assertEquals, assertThrows } from "../support/assert.ts";
import { type Command, MAX_COMMAND_BYTES } from "../../src/protocol/commands.ts";
import { agree, BASE_FEATURES, type Feature } from "../../src/protocol/features.ts";
import { encodeFrame } from "../../src/protocol/field.ts";
import { ServerConnection, type ServerEvent } from "../../src/protocol/server_connection.ts";

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

const SUPPORTED: Feature[] = [{ name: "abort" }, { name: "digest", values: ["sha256"] }];
const PORT = 41234;

/** Answers each event the way a server does: ports, refusals, `feat`, `goodbye`. */
function answer(server: ServerConnection, event: ServerEvent): Uint8Array | undefined {
  switch (event.type) {
    case "command": {
      const command = event.command;
      if (command.verb === "feat") return server.sendFeatures(agree(command.offer, SUPPORTED));
      if (command.verb === "quit") return undefined;
      const port = server.sendPort(PORT);
      server.endTransfer();
      return port;
    }
    case "invalid":
      return server.sendRefusal(event.reason);
    case "protocol-error":
      return server.goodbye(event.reason);
    default:
      return undefined;
  }
}

const SIZES = [Infinity, 1, 3, 7];
const label = (size: number) => size === Infinity ? "whole" : `${size} byte(s) at a time`;

/**
 * Feeds `bytes` to a fresh server `size` bytes at a time (then the end of stream, if
 * `end`), reading events after each piece until it needs data or stops reading, and
 * answering each. Returns the events (without need-data) and everything it sent.
 */
function feed(bytes: Uint8Array, size: number, end = false) {
  const server = new ServerConnection();
  const events: ServerEvent[] = [];
  const sent: Uint8Array[] = [];
  const drain = () => {
    while (server.state === "reading") {
      const event = server.next();
      if (event.type === "need-data") return;
      events.push(event);
      const reply = answer(server, event);
      if (reply) sent.push(reply);
    }
  };
  for (let offset = 0; offset < bytes.byteLength; offset += size) {
    server.receive(bytes.subarray(offset, offset + size));
    drain();
  }
  if (end) {
    server.receiveEnd();
    drain();
  }
  return { server, events, sent: text(concat(...sent)) };
}

const command = (command: Command): ServerEvent => ({ type: "command", command });
const invalid = (reason: string): ServerEvent => ({ type: "invalid", reason });
const refusal = (message: string) =>
  `0000000000${String(encoder.encode(message).byteLength).padStart(10, "0")}${message}`;

const SESSION = concat(
  encodeFrame("ls"),
  encodeFrame("get a b.txt"),
  encodeFrame("PUT  x"),
  encodeFrame(""),
  encodeFrame(new Uint8Array([0x67, 0x65, 0x74, 0x20, 0xff])),
  encodeFrame("feat resume digest=xxh128,sha256 abort"),
  encodeFrame("feat"),
  encodeFrame("frob x"),
  encodeFrame("quit now"),
  encodeFrame("quit"),
);

for (const size of SIZES) {
  Deno.test(`\`ServerConnection\` reads a whole session delivered ${label(size)}`, () => {
    const { server, events, sent } = feed(SESSION, size);
    assertEquals(events, [
      command({ verb: "ls" }),
      command({ verb: "get", name: "a b.txt" }),
      command({ verb: "put", name: " x" }),
      invalid('Unknown command "": expected ls, get, put or quit'),
      invalid("Command is not valid UTF-8"),
      command({
        verb: "feat",
        offer: new Map([["resume", []], ["digest", ["xxh128", "sha256"]], ["abort", []]]),
      }),
      invalid("Features were agreed already in this session"),
      invalid('Unknown command "frob": expected ls, get, put or quit'),
      invalid("Command quit takes no argument"),
      command({ verb: "quit" }),
    ]);
    assertEquals(
      sent,
      "0000041234".repeat(3) +
        refusal('Unknown command "": expected ls, get, put or quit') +
        refusal("Command is not valid UTF-8") +
        "0000000022ok abort digest=sha256" +
        refusal("Features were agreed already in this session") +
        refusal('Unknown command "frob": expected ls, get, put or quit') +
        refusal("Command quit takes no argument"),
    );
    assertEquals(server.state, "closed");
    assertEquals(server.features.toString(), "abort digest=sha256");
  });

  Deno.test(`\`ServerConnection\` ends cleanly at a frame boundary, fed ${label(size)}`, () => {
    const { server, events } = feed(concat(encodeFrame("ls")), size, true);
    assertEquals(events, [command({ verb: "ls" }), { type: "end", clean: true }]);
    assertEquals(server.state, "closed");
  });

  Deno.test(`\`ServerConnection\` ends uncleanly mid-field, fed ${label(size)}`, () => {
    const { server, events } = feed(concat(encodeFrame("ls"), "0000"), size, true);
    assertEquals(events, [command({ verb: "ls" }), { type: "end", clean: false }]);
    assertEquals(server.state, "closed");
  });

  Deno.test(`\`ServerConnection\` ends uncleanly mid-frame, fed ${label(size)}`, () => {
    const { events } = feed(concat(encodeFrame("ls"), "0000000013get hel"), size, true);
    assertEquals(events, [command({ verb: "ls" }), { type: "end", clean: false }]);
  });

  Deno.test(`\`ServerConnection\` rejects an oversized command, fed ${label(size)}`, () => {
    // The header alone is enough: the payload never needs to arrive.
    const { server, events, sent } = feed(concat(encodeFrame("ls"), "0000005000"), size);
    assertEquals(events, [
      command({ verb: "ls" }),
      { type: "protocol-error", reason: "Frame of 5000 bytes exceeds the 4096-byte limit" },
    ]);
    assertEquals(
      sent,
      "0000041234" + "0000000000" + "0000000047Frame of 5000 bytes exceeds the 4096-byte limit",
    );
    assertEquals(server.state, "closed");
  });
}

Deno.test("`ServerConnection` starts reading, idle, with no features", () => {
  const server = new ServerConnection();
  assertEquals(server.state, "reading");
  assertEquals(server.idle, true);
  assertEquals(server.canRefuse, false);
  assertEquals(server.features, BASE_FEATURES);
  assertEquals(server.next(), { type: "need-data", idle: true });
});

Deno.test("`ServerConnection.next()` says a partial command is not idle", () => {
  const server = new ServerConnection();
  server.receive(ascii("0000000002l"));
  assertEquals(server.idle, false);
  assertEquals(server.next(), { type: "need-data", idle: false });
  server.receive(ascii("s"));
  assertEquals(server.next(), command({ verb: "ls" }));
  assertEquals(server.idle, true);
});

Deno.test("`ServerConnection` keeps a second command in one chunk for the next read", () => {
  const server = new ServerConnection();
  server.receive(concat(encodeFrame("ls"), encodeFrame("get a.txt"), "00000"));
  assertEquals(server.next(), command({ verb: "ls" }));
  assertEquals(server.state, "replying");
  assertEquals(server.canRefuse, true);
  assertEquals(text(server.sendPort(41234)), "0000041234");
  assertEquals(server.state, "transferring");
  assertEquals(server.canRefuse, false);
  assertEquals(server.idle, false);
  server.endTransfer();
  assertEquals(server.next(), command({ verb: "get", name: "a.txt" }));
  assertEquals(text(server.sendRefusal('No such file "a.txt"')), refusal('No such file "a.txt"'));
  assertEquals(server.next(), { type: "need-data", idle: false });
});

Deno.test("`ServerConnection` reads the §4 transcripts", () => {
  const server = new ServerConnection();
  server.receive(ascii("0000000002ls0000000013get hello.txt0000000012get nope.txt"));
  assertEquals(server.next(), command({ verb: "ls" }));
  assertEquals(text(server.sendPort(41234)), "0000041234");
  server.endTransfer();
  assertEquals(server.next(), command({ verb: "get", name: "hello.txt" }));
  assertEquals(text(server.sendPort(36729)), "0000036729");
  server.endTransfer();
  assertEquals(server.next(), command({ verb: "get", name: "nope.txt" }));
  assertEquals(
    text(server.sendRefusal('No such file "nope.txt"')),
    '00000000000000000023No such file "nope.txt"',
  );
  assertEquals(server.state, "reading");
});

Deno.test("`ServerConnection` accepts a command of exactly 4096 bytes", () => {
  const server = new ServerConnection();
  server.receive(encodeFrame("ls" + " ".repeat(MAX_COMMAND_BYTES - 2)));
  assertEquals(server.next(), command({ verb: "ls" }));
});

Deno.test("`ServerConnection` rejects a malformed length field, quoting it", () => {
  const server = new ServerConnection();
  server.receive(ascii("00000x0002ls"));
  assertEquals(server.next(), {
    type: "protocol-error",
    reason: 'Cannot read field "00000x0002": expected 10 ASCII digits',
  });
  assertEquals(server.state, "closed");
});

Deno.test("`ServerConnection` refuses a command that is not valid UTF-8, then goes on", () => {
  for (const bad of [[0xff], [0x67, 0x65, 0x74, 0x20, 0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf]]) {
    const server = new ServerConnection();
    server.receive(concat(encodeFrame(new Uint8Array(bad)), encodeFrame("ls")));
    assertEquals(server.next(), invalid("Command is not valid UTF-8"), `bytes ${bad}`);
    assertEquals(server.canRefuse, true);
    server.sendRefusal("Command is not valid UTF-8");
    assertEquals(server.next(), command({ verb: "ls" }));
  }
});

Deno.test("`ServerConnection` refuses an unknown verb with the message of §4.6", () => {
  const server = new ServerConnection();
  server.receive(encodeFrame("frob x"));
  assertEquals(server.next(), invalid('Unknown command "frob": expected ls, get, put or quit'));
  assertEquals(
    text(server.sendRefusal('Unknown command "frob": expected ls, get, put or quit')),
    '00000000000000000053Unknown command "frob": expected ls, get, put or quit',
  );
});

Deno.test("`ServerConnection` closes on quit without a reply", () => {
  const server = new ServerConnection();
  server.receive(concat(encodeFrame("quit"), encodeFrame("ls")));
  assertEquals(server.next(), command({ verb: "quit" }));
  assertEquals(server.state, "closed");
  assertThrows(
    () => server.next(),
    TypeError,
    "Cannot read a command while closed: expected reading",
  );
  assertThrows(() => server.sendRefusal("x"), TypeError, "Cannot refuse while closed");
});

Deno.test("`ServerConnection` does not close on `quit now`", () => {
  const server = new ServerConnection();
  server.receive(encodeFrame("quit now"));
  assertEquals(server.next(), invalid("Command quit takes no argument"));
  assertEquals(server.state, "replying");
  server.sendRefusal("Command quit takes no argument");
  assertEquals(server.state, "reading");
});

Deno.test("`ServerConnection.sendFeatures()` answers `feat` and turns the features on", () => {
  const server = new ServerConnection();
  server.receive(encodeFrame("feat digest=sha256 abort"));
  const event = server.next();
  assertEquals(
    event,
    command({ verb: "feat", offer: new Map([["digest", ["sha256"]], ["abort", []]]) }),
  );
  const agreed = agree(new Map([["digest", ["sha256"]], ["abort", []]]), SUPPORTED);
  assertEquals(text(server.sendFeatures(agreed)), "0000000022ok abort digest=sha256");
  assertEquals(server.features, agreed);
  assertEquals(server.state, "reading");
});

Deno.test("`ServerConnection.sendFeatures()` answers an empty agreement with a bare ok", () => {
  const server = new ServerConnection();
  server.receive(encodeFrame("feat resume"));
  server.next();
  assertEquals(
    text(server.sendFeatures(agree(new Map([["resume", []]]), SUPPORTED))),
    "0000000002ok",
  );
  assertEquals(server.features.size, 0);
});

Deno.test("`ServerConnection` refuses a second `feat` once features are agreed", () => {
  const server = new ServerConnection();
  server.receive(concat(encodeFrame("feat abort"), encodeFrame("feat abort")));
  server.next();
  server.sendFeatures(agree(new Map([["abort", []]]), SUPPORTED));
  assertEquals(server.next(), invalid("Features were agreed already in this session"));
  server.sendRefusal("Features were agreed already in this session");
  assertEquals(server.features.toString(), "abort");
});

Deno.test("`ServerConnection` accepts `feat` again after refusing the first one", () => {
  const server = new ServerConnection();
  server.receive(concat(encodeFrame("feat abort"), encodeFrame("feat abort")));
  server.next();
  server.sendRefusal("Not now");
  assertEquals(server.features, BASE_FEATURES);
  assertEquals(server.next(), command({ verb: "feat", offer: new Map([["abort", []]]) }));
});

Deno.test("`ServerConnection` refuses `feat` with a malformed offer", () => {
  const server = new ServerConnection();
  server.receive(encodeFrame("feat a=b=c"));
  assertEquals(server.next(), invalid('Feature "a=b=c" is not a name or name=value,...'));
});

Deno.test("`ServerConnection.sendOk()` answers an extension verb", () => {
  const server = new ServerConnection();
  server.receive(encodeFrame("ls"));
  server.next();
  assertEquals(text(server.sendOk()), "0000000002ok");
  assertEquals(server.state, "reading");
});

Deno.test("`ServerConnection.goodbye()` refuses unasked and closes, in any state", () => {
  const message = "The server is full (at most 512 at once): try again later";
  for (const prepare of ["reading", "replying", "transferring"] as const) {
    const server = new ServerConnection();
    server.receive(encodeFrame("ls"));
    if (prepare !== "reading") server.next();
    if (prepare === "transferring") server.sendPort(PORT);
    assertEquals(server.state, prepare);
    assertEquals(text(server.goodbye(message)), `00000000000000000057${message}`);
    assertEquals(server.state, "closed");
  }
});

Deno.test("`ServerConnection` throws TypeError when a send does not fit the state", () => {
  const server = new ServerConnection();
  assertThrows(
    () => server.sendPort(PORT),
    TypeError,
    "Cannot send a port while reading: expected replying",
  );
  assertThrows(
    () => server.sendRefusal("no"),
    TypeError,
    "Cannot refuse while reading: expected replying",
  );
  assertThrows(
    () => server.sendOk(),
    TypeError,
    "Cannot answer ok while reading: expected replying",
  );
  assertThrows(
    () => server.sendFeatures(BASE_FEATURES),
    TypeError,
    "Cannot answer ok while reading",
  );
  assertThrows(
    () => server.endTransfer(),
    TypeError,
    "Cannot end a transfer while reading: expected transferring",
  );
  assertEquals(server.state, "reading");

  server.receive(encodeFrame("ls"));
  server.next();
  assertThrows(
    () => server.next(),
    TypeError,
    "Cannot read a command while replying: expected reading",
  );
  assertThrows(() => server.endTransfer(), TypeError, "Cannot end a transfer while replying");

  server.sendPort(PORT);
  assertThrows(() => server.next(), TypeError, "Cannot read a command while transferring");
  assertThrows(() => server.sendRefusal("late"), TypeError, "Cannot refuse while transferring");
  assertThrows(() => server.sendPort(PORT), TypeError, "Cannot send a port while transferring");
  assertEquals(server.state, "transferring");
});

Deno.test("`ServerConnection.sendFeatures()` in the wrong state leaves the features alone", () => {
  const server = new ServerConnection();
  const agreed = agree(new Map([["abort", []]]), SUPPORTED);
  assertThrows(() => server.sendFeatures(agreed), TypeError);
  assertEquals(server.features, BASE_FEATURES);
});

Deno.test("`ServerConnection.receive()` after the end is a TypeError", () => {
  const server = new ServerConnection();
  server.receiveEnd();
  assertThrows(() => server.receive(ascii("ls")), TypeError, "after the end of the stream");
});

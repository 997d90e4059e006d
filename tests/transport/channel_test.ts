/**
 * `Channel`: reads (plain, timed, into the caller's memory, through a decoder),
 * writes that fail as `TransferError`, and the ways a connection ends. Real loopback
 * sockets where timing matters; a scripted in-memory connection where exact chunk
 * boundaries or a failing write are the point.
 */

import { assert, assertEquals, assertRejects } from "../support/assert.ts";
import { TransferError } from "../../src/common/errors.ts";
import { encodeField, encodeFrame } from "../../src/protocol/field.ts";
import { PayloadDecoder } from "../../src/protocol/payload_decoder.ts";
import { Channel, type Decoder, TIMED_OUT } from "../../src/transport/channel.ts";
import type { Connection } from "../../src/transport/connection.ts";
import { channelPair } from "../support/helpers.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Bytes as text, for readable comparisons; `null` and TIMED_OUT pass through. */
function text(bytes: Uint8Array): string;
function text(bytes: Uint8Array | null): string | null;
function text(bytes: Uint8Array | null | typeof TIMED_OUT): string | null | typeof TIMED_OUT;
function text(bytes: Uint8Array | null | typeof TIMED_OUT): string | null | typeof TIMED_OUT {
  return bytes === null || bytes === TIMED_OUT ? bytes : decoder.decode(bytes);
}

/** An in-memory connection that yields `chunks` one per pull, then the end of stream. */
interface Scripted extends Connection {
  /** How many times the stream asked for more. */
  readonly pulls: number;
  readonly written: Uint8Array[];
  readonly closed: boolean;
}

function scripted(
  chunks: (Uint8Array | string)[],
  write: (chunk: Uint8Array) => Promise<void> = () => Promise.resolve(),
): Scripted {
  const queue = chunks.map((c) => typeof c === "string" ? encoder.encode(c) : c.slice());
  const written: Uint8Array[] = [];
  let pulls = 0;
  let closed = false;
  return {
    readable: new ReadableStream({
      type: "bytes",
      pull(controller) {
        pulls++;
        const next = queue.shift();
        if (next) return controller.enqueue(next);
        controller.close();
        controller.byobRequest?.respond(0);
      },
    }),
    writable: new WritableStream({
      async write(chunk) {
        await write(chunk);
        written.push(chunk.slice());
      },
    }),
    localAddr: { hostname: "127.0.0.1", port: 1 },
    remoteAddr: { hostname: "127.0.0.1", port: 2 },
    closeWrite: () => Promise.resolve(),
    close: () => void (closed = true),
    get pulls() {
      return pulls;
    },
    get closed() {
      return closed;
    },
    written,
  };
}

Deno.test("`Channel.read()` returns what arrives, then `null` at the end of stream", async () => {
  const [server, client] = await channelPair();
  try {
    await client.write(encoder.encode("hello"));
    await client.closeWrite();
    assertEquals(text(await server.read()), "hello");
    assertEquals(await server.read(), null);
  } finally {
    server.close();
    client.close();
  }
});

Deno.test("`Channel.read()` hands out at most 16 KiB at a time", async () => {
  const [server, client] = await channelPair();
  try {
    const sent = new Uint8Array(40_000).map((_, i) => i % 253);
    const writing = client.write(sent).then(() => client.closeWrite());
    const received = new Uint8Array(sent.byteLength);
    let length = 0;
    for (let chunk; length <= sent.byteLength && (chunk = await server.read()) !== null;) {
      assert(chunk.byteLength <= 16 << 10, `a read of ${chunk.byteLength} bytes exceeds 16 KiB`);
      received.set(chunk, length);
      length += chunk.byteLength;
    }
    await writing;
    assertEquals([length, received], [sent.byteLength, sent]);
  } finally {
    server.close();
    client.close();
  }
});

Deno.test("`Channel.readWithin()` gives up with TIMED_OUT, and the next `read()` returns the late data", async () => {
  const [server, client] = await channelPair();
  try {
    const started = performance.now();
    assertEquals(await server.readWithin(30), TIMED_OUT);
    const waited = performance.now() - started;
    assert(waited >= 29, `gave up after ${waited.toFixed(1)} ms, before the 30 ms`);
    await client.write(encoder.encode("late"));
    assertEquals(text(await server.read()), "late");
  } finally {
    server.close();
    client.close();
  }
});

Deno.test("`Channel.readWithin()` keeps one read under way across timeouts, so no data is lost", async () => {
  const [server, client] = await channelPair();
  try {
    assertEquals(await server.readWithin(10), TIMED_OUT);
    assertEquals(await server.readWithin(10), TIMED_OUT);
    await client.write(encoder.encode("one"));
    await client.closeWrite();
    // Had each call started a read of its own, "one" would go to an orphaned read.
    assertEquals(text(await server.readWithin(5_000)), "one");
    assertEquals(await server.readWithin(5_000), null);
  } finally {
    server.close();
    client.close();
  }
});

Deno.test("`Channel.readWithin()` returns data already there, and is done with it once returned", async () => {
  const [server, client] = await channelPair();
  try {
    await client.write(encoder.encode("first"));
    assertEquals(text(await server.readWithin(5_000)), "first");
    // The read that brought "first" is not handed out again.
    await client.write(encoder.encode("second"));
    await client.closeWrite();
    assertEquals(text(await server.read()), "second");
    assertEquals(await server.readWithin(5_000), null);
  } finally {
    server.close();
    client.close();
  }
});

Deno.test("`Channel.readWithin()`'s left-over read that fails makes the next read a TransferError", async () => {
  const [server, client] = await channelPair();
  try {
    assertEquals(await server.readWithin(10), TIMED_OUT);
    server.close(); // The pending read fails with nobody awaiting it: no unhandled rejection.
    await assertRejects(() => server.read(), TransferError, "The connection was closed");
  } finally {
    server.close();
    client.close();
  }
});

Deno.test("`Channel.readInto()` fills the caller's memory and returns a view of it at the same offset", async () => {
  const [server, client] = await channelPair();
  try {
    await client.write(encoder.encode("payload"));
    await client.closeWrite();
    const buffer = new ArrayBuffer(64);
    const got = await server.readInto(new Uint8Array(buffer, 8, 32));
    assertEquals(text(got), "payload");
    assertEquals([got!.byteOffset, got!.buffer.byteLength], [8, 64]);
    assertEquals(buffer.byteLength, 0, "the memory is taken over (transferred)");
    assertEquals(await server.readInto(new Uint8Array(got!.buffer)), null);
  } finally {
    server.close();
    client.close();
  }
});

Deno.test("`Channel.readInto()` reads no more than its view holds; the rest stays readable", async () => {
  const [server, client] = await channelPair();
  try {
    await client.write(encoder.encode("0123456789"));
    await client.closeWrite();
    const got = text(await server.readInto(new Uint8Array(4)));
    assert(got !== null && got.length <= 4, `readInto() of a 4-byte view read ${got}`);
    let rest = "";
    for (let reads = 0; reads < 20; reads++) {
      const chunk = await server.read();
      if (chunk === null) break;
      rest += text(chunk);
    }
    assertEquals([got, rest], ["0123".slice(0, got.length), "0123456789".slice(got.length)]);
  } finally {
    server.close();
    client.close();
  }
});

Deno.test("`Channel.readInto()` with `min` gathers that much across chunks into one view", async () => {
  const channel = new Channel(scripted(["ab", "cd", "ef", "gh"]));
  const got = await channel.readInto(new Uint8Array(8), { min: 5 });
  assertEquals(text(got), "abcdef", "three chunks, the first that reach 5 bytes");
  assertEquals(
    text(await channel.readInto(new Uint8Array(8), { min: 8 })),
    "gh",
    "cut short by the end",
  );
  assertEquals(await channel.readInto(new Uint8Array(8), { min: 8 }), null);
});

Deno.test("`Channel.readInto()` asks for no more than its view holds, whatever `min` says", async () => {
  const channel = new Channel(scripted(["abc", "def"]));
  assertEquals(text(await channel.readInto(new Uint8Array(2), { min: 1 << 20 })), "ab");
  assertEquals(text(await channel.readInto(new Uint8Array(8))), "c", "the rest of the chunk");
});

Deno.test("`Channel.readInto()` refuses to run while a timed-out read is still pending", async () => {
  const [server, client] = await channelPair();
  try {
    assertEquals(await server.readWithin(10), TIMED_OUT);
    await assertRejects(
      () => server.readInto(new Uint8Array(8)),
      TypeError,
      "Cannot read into a buffer while a read is pending",
    );
    await client.write(encoder.encode("ab"));
    assertEquals(text(await server.read()), "ab"); // Takes the pending read over.
    await client.write(encoder.encode("cd"));
    assertEquals(text(await server.readInto(new Uint8Array(8))), "cd");
  } finally {
    server.close();
    client.close();
  }
});

Deno.test("`Channel.next()` feeds a PayloadDecoder across split chunks until it has an event", async () => {
  // A 3-byte payload frame, an empty frame that ends the payload, then the frame after it.
  const connection = scripted(["00000", "00003ab", "c000000", "0000000000", "0002ok"]);
  using channel = new Channel(connection);
  const payload = new PayloadDecoder("download");
  assertEquals(await channel.next(payload), { type: "payload", length: 3 });
  assertEquals(connection.pulls, 2, "next() stops reading once the field is complete");
  assertEquals(text(payload.takeBuffered(8)), "ab");
  const rest = await channel.readInto(new Uint8Array(payload.remaining));
  payload.skip(rest!.byteLength);
  assertEquals(text(rest), "c");
  assertEquals(await channel.next(payload), { type: "frame", text: "ok" });
  assertEquals(await channel.next(payload), { type: "end" });
});

Deno.test("`Channel.next()` reads nothing when the decoder already has an event", async () => {
  const connection = scripted([encodeFrame("never read")]);
  using channel = new Channel(connection);
  const payload = new PayloadDecoder("listing");
  payload.receive(encodeField(0));
  assertEquals(await channel.next(payload), { type: "payload", length: 0 });
  assertEquals(await channel.next(payload), { type: "end" });
  assertEquals(connection.pulls, 0);
});

Deno.test("`Channel.next()` passes the end of stream to the decoder", async () => {
  using channel = new Channel(scripted([]));
  const events: string[] = [];
  let ended = false;
  const counting: Decoder<{ type: "need-data" } | { type: "end" }> = {
    receive: (bytes) => void events.push(text(bytes) as string),
    receiveEnd: () => void (ended = true),
    next: () => ended ? { type: "end" } : { type: "need-data" },
  };
  assertEquals(await channel.next(counting), { type: "end" });
  assertEquals(events, []);
});

Deno.test("`Channel.next()` fails with the decoder's error when the stream ends inside a field", async () => {
  using channel = new Channel(scripted(["0000"]));
  const payload = new PayloadDecoder("listing");
  await assertRejects(
    () => channel.next(payload),
    TransferError,
    "Connection closed after 4 of 10 bytes",
  );
});

Deno.test("`Channel.write()` turns a failed write into a TransferError that keeps the cause", async () => {
  const cause = new Error("Broken pipe (os error 32)");
  using channel = new Channel(scripted([], () => Promise.reject(cause)));
  const error = await assertRejects(
    () => channel.write(encoder.encode("x")),
    TransferError,
  );
  assertEquals([error.message, error.cause], ["Connection failed: Broken pipe", cause]);
});

Deno.test("`Channel.write()` on a closed socket fails with a TransferError in ferry's words", async () => {
  const [server, client] = await channelPair();
  client.close();
  // Not the runtime's "operation canceled" or "Bad resource ID": this side closed it.
  const error = await assertRejects(() => client.write(encoder.encode("x")), TransferError);
  assertEquals(error.message, "The connection was closed");
  server.close();
});

Deno.test("`Channel.write()` writes all of the bytes, in order", async () => {
  const connection = scripted([]);
  using channel = new Channel(connection);
  await channel.write(encoder.encode("ab"));
  await channel.write(encoder.encode("cd"));
  assertEquals(connection.written.map((c) => text(c)), ["ab", "cd"]);
});

Deno.test("`Channel.closeWrite()` ends the sending side and ignores a connection that is gone", async () => {
  const [server, client] = await channelPair();
  try {
    await client.closeWrite();
    assertEquals(await server.read(), null);
    await server.write(encoder.encode("still open"));
    assertEquals(text(await client.read()), "still open");
    client.close();
    await client.closeWrite(); // Resolves: nothing to end any more.
  } finally {
    server.close();
    client.close();
  }
});

Deno.test("`Channel.close()` is safe to call twice and `closed` says so; disposing closes", async () => {
  const connection = scripted([]);
  {
    using channel = new Channel(connection);
    assertEquals(channel.closed, false);
  }
  assertEquals(connection.closed, true);
  const [server, client] = await channelPair();
  server.close();
  server.close();
  assertEquals(server.closed, true);
  client.close();
});

Deno.test("`Channel` reports its connection's addresses", async () => {
  const [server, client] = await channelPair();
  try {
    assertEquals(server.localAddr, server.connection.localAddr);
    assertEquals(
      [server.remoteAddr.port, server.localAddr.port],
      [client.localAddr.port, client.remoteAddr.port],
    );
  } finally {
    server.close();
    client.close();
  }
});

Deno.test("`Channel.closeAfterPeer()` discards what the peer still sends and closes once it closes", async () => {
  const [server, client] = await channelPair();
  try {
    const started = performance.now();
    const closing = server.closeAfterPeer(10_000);
    await client.write(encoder.encode("left over"));
    // The server does not close first: nothing comes back within 50 ms.
    assertEquals(await client.readWithin(50), TIMED_OUT);
    assertEquals(server.closed, false);
    client.close();
    await closing;
    const took = performance.now() - started;
    assertEquals(server.closed, true);
    assert(took < 5_000, `closeAfterPeer waited ${took.toFixed(0)} ms, not for the peer`);
  } finally {
    server.close();
    client.close();
  }
});

Deno.test("`Channel.closeAfterPeer()` closes after the grace time when the peer stays", async () => {
  const [server, client] = await channelPair();
  try {
    const started = performance.now();
    await server.closeAfterPeer(40);
    const took = performance.now() - started;
    assertEquals(server.closed, true);
    assert(took >= 39, `closed after ${took.toFixed(1)} ms, before the 40 ms grace`);
    // The peer sees the server's close as an end of stream.
    assertEquals(await client.readWithin(5_000), null);
  } finally {
    server.close();
    client.close();
  }
});

Deno.test("`Channel.closeAfterPeer()` returns at once when the peer has already half-closed", async () => {
  const [server, client] = await channelPair();
  try {
    await client.closeWrite();
    await server.closeAfterPeer(10_000);
    assertEquals(server.closed, true);
    assertEquals(await client.readWithin(5_000), null);
  } finally {
    server.close();
    client.close();
  }
});

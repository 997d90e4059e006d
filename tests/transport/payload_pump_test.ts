/**
 * `payload_pump.ts`: the loop that moves every payload. In-memory sources and sinks
 * pin down exactly which writes it makes; a loopback socket pair checks the sender
 * and receiver against each other.
 */

import { createHash } from "node:crypto";
import { assert, assertEquals, assertRejects } from "../support/assert.ts";
import { createDigest } from "../../src/common/digest.ts";
import { TransferError } from "../../src/common/errors.ts";
import { encodeField, encodeFrame } from "../../src/protocol/field.ts";
import { PayloadDecoder } from "../../src/protocol/payload_decoder.ts";
import { formatTrailer } from "../../src/protocol/trailers.ts";
import { Channel } from "../../src/transport/channel.ts";
import type { Connection } from "../../src/transport/connection.ts";
import {
  type ByteSink,
  type ByteSource,
  bytesSource,
  chunksSource,
  fileSource,
  payloadSource,
  Pump,
  receivePayload,
  sendPayload,
} from "../../src/transport/payload_pump.ts";
import { channelPair } from "../support/helpers.ts";

const MiB = 1 << 20;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (text: string) => encoder.encode(text);
const text = (data: Uint8Array | null) => data === null ? null : decoder.decode(data);

function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** `size` random bytes (getRandomValues fills at most 64 KiB per call). */
function randomBytes(size: number): Uint8Array {
  const data = new Uint8Array(size);
  for (let offset = 0; offset < size; offset += 65536) {
    crypto.getRandomValues(data.subarray(offset, Math.min(size, offset + 65536)));
  }
  return data;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/** A sink that keeps a copy of every write, and the memory each write came in. */
function recordingSink(): ByteSink & { writes: Uint8Array[]; buffers: ArrayBufferLike[] } {
  const writes: Uint8Array[] = [];
  const buffers: ArrayBufferLike[] = [];
  return {
    writes,
    buffers,
    write(chunk) {
      writes.push(chunk.slice());
      buffers.push(chunk.buffer);
      return Promise.resolve();
    },
  };
}

/**
 * A source over `data` that fills the pump's own views (as a file read does) and
 * records each request and each buffer it filled.
 */
function memorySource(data: Uint8Array): ByteSource & {
  requests: { asked: number; remaining: number }[];
  buffers: ArrayBufferLike[];
} {
  let offset = 0;
  const requests: { asked: number; remaining: number }[] = [];
  const buffers: ArrayBufferLike[] = [];
  return {
    requests,
    buffers,
    read(view) {
      requests.push({ asked: view.byteLength, remaining: data.byteLength - offset });
      if (offset >= data.byteLength) return Promise.resolve(null);
      const n = Math.min(view.byteLength, data.byteLength - offset);
      view.set(data.subarray(offset, offset + n));
      offset += n;
      buffers.push(view.buffer);
      return Promise.resolve(view.subarray(0, n));
    },
    endedEarly: (moved, expected) => new TransferError(`ended after ${moved} of ${expected}`),
  };
}

/** An in-memory connection yielding `chunks` one per pull, then its end; writes recorded. */
function scripted(
  chunks: Uint8Array[] = [],
): Connection & { pulls: number; written: Uint8Array[] } {
  const queue = chunks.map((c) => c.slice());
  const written: Uint8Array[] = [];
  const connection = {
    pulls: 0,
    written,
    readable: new ReadableStream({
      type: "bytes",
      pull(controller) {
        connection.pulls++;
        const next = queue.shift();
        if (next) return controller.enqueue(next);
        controller.close();
        controller.byobRequest?.respond(0);
      },
    }),
    writable: new WritableStream<Uint8Array>({
      write: (chunk) => void written.push(chunk.slice()),
    }),
    localAddr: { hostname: "127.0.0.1", port: 1 },
    remoteAddr: { hostname: "127.0.0.1", port: 2 },
    closeWrite: () => Promise.resolve(),
    close() {},
  };
  return connection;
}

Deno.test("`Pump.move()` moves the exact bytes and feeds them all to the digest", async () => {
  const data = randomBytes(3 * MiB + 5);
  const sink = recordingSink();
  const digest = await createDigest("sha256");
  await new Pump().move(bytesSource(data), sink, { length: data.byteLength, digest });
  assertEquals(digest.hex(), sha256(data));
  assertEquals(concat(...sink.writes), data);
});

Deno.test("`Pump.move()` resolves to nothing and leaves the digest open for more", async () => {
  // The caller ends the digest: a file sent as several frames is hashed across moves.
  const digest = await createDigest("sha256");
  const result = await new Pump().move(bytesSource(bytes("ab")), recordingSink(), {
    length: 2,
    digest,
  });
  assertEquals(result, undefined);
  digest.update(bytes("c"));
  assertEquals(digest.hex(), sha256(bytes("abc")));
});

Deno.test("`Pump.move()` over many small chunks still moves the exact bytes and digest", async () => {
  const data = randomBytes(10_000);
  const sink = recordingSink();
  const digest = await createDigest("sha256");
  await new Pump(777).move(bytesSource(data), sink, { length: data.byteLength, digest });
  assertEquals(digest.hex(), sha256(data));
  assertEquals(concat(...sink.writes), data);
  assertEquals(sink.writes.length, Math.ceil(10_000 / 777));
});

Deno.test("`Pump.move()` never asks its source for more than the payload's remaining bytes", async () => {
  const data = randomBytes(10_000);
  const source = memorySource(concat(data, bytes("NOT PART OF THE PAYLOAD")));
  const sink = recordingSink();
  await new Pump(3_000).move(source, sink, { length: data.byteLength });
  assertEquals(source.requests.map((r) => r.asked), [3_000, 3_000, 3_000, 1_000]);
  assertEquals(concat(...sink.writes), data);
});

Deno.test("`Pump.move()` coalesces head, payload and tail of a small file into one write", async () => {
  const payload = bytes("hello");
  const head = encodeField(payload.byteLength);
  const sink = recordingSink();
  const digest = await createDigest("sha256");
  await new Pump().move(bytesSource(payload), sink, {
    length: payload.byteLength,
    digest,
    head,
    // The tail comes after the last chunk is hashed: it may end the digest.
    tail: () => encodeFrame(digest.hex()),
  });
  assertEquals(sink.writes, [concat(head, payload, encodeFrame(sha256(payload)))]);
  assertEquals(digest.hex(), sha256(payload));
});

Deno.test("`Pump.move()` still coalesces a chunk of exactly 64 KiB with its head and tail", async () => {
  const payload = randomBytes(64 << 10);
  const sink = recordingSink();
  await new Pump().move(bytesSource(payload), sink, {
    length: payload.byteLength,
    head: bytes("HEAD"),
    tail: () => bytes("TAIL"),
  });
  assertEquals(sink.writes.map((w) => w.byteLength), [4 + (64 << 10) + 4]);
  assertEquals(sink.writes[0], concat(bytes("HEAD"), payload, bytes("TAIL")));
});

Deno.test("`Pump.move()` writes a chunk over 64 KiB from the source's own memory, between head and tail", async () => {
  const payload = randomBytes((64 << 10) + 1);
  const source = memorySource(payload);
  const sink = recordingSink();
  await new Pump().move(source, sink, {
    length: payload.byteLength,
    head: bytes("HEAD"),
    tail: () => bytes("TAIL"),
  });
  assertEquals(sink.writes, [bytes("HEAD"), payload, bytes("TAIL")]);
  // No copy: the chunk the sink got is the very buffer the source filled.
  assert(sink.buffers[1] === source.buffers[0], "the large chunk was copied");
});

Deno.test("`Pump.move()` sends the head with the first chunk and the tail with the last", async () => {
  const sink = recordingSink();
  await new Pump(4).move(bytesSource(bytes("0123456789")), sink, {
    length: 10,
    head: bytes("<"),
    tail: () => bytes(">"),
  });
  assertEquals(sink.writes.map(text), ["<0123", "4567", "89>"]);
});

Deno.test("`Pump.move()` of a zero-length payload writes head and tail once and never reads", async () => {
  const source = memorySource(bytes("unread"));
  const sink = recordingSink();
  const progress: number[] = [];
  const digest = await createDigest("sha256");
  await new Pump().move(source, sink, {
    length: 0,
    digest,
    head: encodeField(0),
    tail: () => encodeFrame(digest.hex()),
    onProgress: (moved) => progress.push(moved),
  });
  const emptyHex = sha256(new Uint8Array(0));
  assertEquals(digest.hex(), emptyHex);
  assertEquals(sink.writes, [concat(encodeField(0), encodeFrame(emptyHex))]);
  assertEquals([source.requests, progress], [[], []]);
});

Deno.test("`Pump.move()` of a zero-length payload without head or tail writes nothing", async () => {
  const sink = recordingSink();
  await new Pump().move(bytesSource(new Uint8Array(0)), sink, { length: 0 });
  assertEquals(sink.writes, []);
});

Deno.test("`Pump.move()` throws the source's `endedEarly` error when it ends before the length", async () => {
  const ended = new Error("custom early end");
  const calls: [number, number][] = [];
  const source: ByteSource = {
    ...bytesSource(bytes("12345")),
    endedEarly(moved, expected) {
      calls.push([moved, expected]);
      return ended;
    },
  };
  let tails = 0;
  const sink = recordingSink();
  const error = await assertRejects(
    () =>
      new Pump(2).move(source, sink, {
        length: 10,
        tail: () => {
          tails++;
          return bytes("TAIL");
        },
      }),
    Error,
  );
  assertEquals([error, calls, tails], [ended, [[5, 10]], 0]);
  assertEquals(text(concat(...sink.writes)), "12345");
});

Deno.test("`bytesSource()` ending early reports how far it got", async () => {
  await assertRejects(
    () => new Pump().move(bytesSource(bytes("12345")), recordingSink(), { length: 10 }),
    TransferError,
    "The file ended after 5 of 10 bytes",
  );
});

Deno.test("`Pump.move()` reports progress that never decreases, never runs ahead, and ends at length + offset", async () => {
  const data = randomBytes(10_000);
  const offset = 500;
  let sunk = 0;
  const sink: ByteSink = {
    write(chunk) {
      sunk += chunk.byteLength;
      return Promise.resolve();
    },
  };
  const progress: number[] = [];
  await new Pump(1_000).move(bytesSource(data), sink, {
    length: data.byteLength,
    offset,
    writeSlice: 300,
    onProgress(moved) {
      assert(moved - offset <= sunk, `progress ${moved} ran ahead of ${sunk} bytes written`);
      progress.push(moved);
    },
  });
  for (let i = 1; i < progress.length; i++) {
    assert(progress[i] >= progress[i - 1], `progress went back: ${progress.slice(i - 1, i + 1)}`);
  }
  assert(progress[0] > offset, `first progress ${progress[0]} should count on from ${offset}`);
  assertEquals(progress.at(-1), offset + data.byteLength);
});

Deno.test("`Pump.move()` counts only payload bytes as progress when head and tail share the writes", async () => {
  const progress: number[] = [];
  await new Pump().move(bytesSource(bytes("abcdef")), recordingSink(), {
    length: 6,
    head: bytes("0123456789"),
    tail: () => bytes("xyz"),
    writeSlice: 4,
    onProgress: (moved) => progress.push(moved),
  });
  // Writes end at 4, 8, 12, 16 and 19 bytes: 0, 0, 2, 6 and 6 payload bytes.
  assertEquals(progress, [2, 6, 6]);
});

Deno.test("`Pump.move()` with `writeSlice` slices a coalesced write", async () => {
  const payload = randomBytes(1_000);
  const sink = recordingSink();
  await new Pump().move(bytesSource(payload), sink, {
    length: payload.byteLength,
    head: new Uint8Array(10),
    tail: () => new Uint8Array(5),
    writeSlice: 256,
  });
  assertEquals(sink.writes.map((w) => w.byteLength), [256, 256, 256, 247]);
  assertEquals(concat(...sink.writes), concat(new Uint8Array(10), payload, new Uint8Array(5)));
});

Deno.test("`Pump.move()` with `writeSlice` slices a large chunk, but not its head or tail", async () => {
  const payload = randomBytes(100_000);
  const sink = recordingSink();
  await new Pump().move(bytesSource(payload), sink, {
    length: payload.byteLength,
    head: new Uint8Array(10),
    tail: () => new Uint8Array(5),
    writeSlice: 40_000,
  });
  assertEquals(sink.writes.map((w) => w.byteLength), [10, 40_000, 40_000, 20_000, 5]);
  assertEquals(concat(...sink.writes.slice(1, 4)), payload);
});

Deno.test("`Pump.move()` with a tail that throws never writes the last chunk", async () => {
  const withheld = new Error("digest mismatch: withhold the end");
  const sink = recordingSink();
  const error = await assertRejects(
    () =>
      new Pump(4).move(bytesSource(bytes("0123456789")), sink, {
        length: 10,
        head: bytes("<"),
        tail: () => {
          throw withheld;
        },
      }),
    Error,
  );
  assertEquals(error, withheld);
  assertEquals(text(concat(...sink.writes)), "<01234567");
});

Deno.test("`Pump.move()` of a one-chunk file whose tail rejects writes nothing at all", async () => {
  const sink = recordingSink();
  await assertRejects(
    () =>
      new Pump().move(bytesSource(bytes("small")), sink, {
        length: 5,
        head: encodeField(5),
        tail: () => Promise.reject(new TransferError("no trailer")),
      }),
    TransferError,
    "no trailer",
  );
  assertEquals(sink.writes, []);
});

Deno.test("`Pump.move()` stops reading once its sink fails, and throws the sink's error", async () => {
  const failure = new Error("disk full");
  const source = memorySource(randomBytes(20));
  let writes = 0;
  const sink: ByteSink = {
    write: () => ++writes === 2 ? Promise.reject(failure) : Promise.resolve(),
  };
  const error = await assertRejects(() => new Pump(2).move(source, sink, { length: 20 }), Error);
  assertEquals(error, failure);
  assert(source.requests.length < 10, `${source.requests.length} of 10 chunks read after failing`);
});

/**
 * A source over `data` that reads like a BYOB read: the pump's memory is detached and
 * the bytes come back in a new buffer (the transferred one).
 */
function transferringSource(data: Uint8Array): ByteSource {
  let offset = 0;
  return {
    read(view) {
      const { byteOffset, byteLength } = view; // Read before the view is detached.
      const moved = new Uint8Array((view.buffer as ArrayBuffer).transfer(), byteOffset, byteLength);
      const n = Math.min(moved.byteLength, data.byteLength - offset);
      if (n === 0) return Promise.resolve(null);
      moved.set(data.subarray(offset, offset + n));
      offset += n;
      return Promise.resolve(moved.subarray(0, n));
    },
    endedEarly: () => new Error("ended early"),
  };
}

Deno.test("`Pump.move()` adopts the buffer a source hands back (as a BYOB read transfers it)", async () => {
  const data = randomBytes(10_000);
  const sink = recordingSink();
  const digest = await createDigest("sha256");
  await new Pump(1_000).move(transferringSource(data), sink, {
    length: data.byteLength,
    digest, // Ten chunks: every one of the three buffers is reused.
  });
  assertEquals([digest.hex(), concat(...sink.writes)], [sha256(data), data]);
});

Deno.test("`Pump` reused for two moves moves the right bytes each time, in the same buffers", async () => {
  const pump = new Pump();
  const digest = await createDigest("sha256");
  const [first, second] = [randomBytes(10_000), randomBytes(6_000)];
  const [firstSource, secondSource] = [memorySource(first), memorySource(second)];
  const [firstSink, secondSink] = [recordingSink(), recordingSink()];
  await pump.move(firstSource, firstSink, { length: first.byteLength, digest });
  await pump.move(secondSource, secondSink, { length: second.byteLength, digest });
  assertEquals(concat(...firstSink.writes), first);
  assertEquals(concat(...secondSink.writes), second);
  // One digest across both moves: the hash of a file sent as two frames.
  assertEquals(digest.hex(), sha256(concat(first, second)));
  // The second move allocated nothing: it read into the first move's buffer.
  assertEquals(secondSource.requests.map((r) => r.asked), [6_000]);
  assert(secondSource.buffers[0] === firstSource.buffers[0], "the second move got a new buffer");
  assertEquals(firstSource.buffers[0].byteLength, 10_000);
});

Deno.test("`Pump` sizes its buffers for the first payload, at most 1 MiB", async () => {
  const small = memorySource(randomBytes(4096));
  await new Pump().move(small, recordingSink(), { length: 4096 });
  assertEquals(small.buffers.map((b) => b.byteLength), [4096]);
  const large = memorySource(randomBytes(3 * MiB + 5));
  await new Pump().move(large, recordingSink(), { length: 3 * MiB + 5 });
  assertEquals(large.requests.map((r) => r.asked), [MiB, MiB, MiB, 5]);
  assertEquals(large.buffers.map((b) => b.byteLength), [MiB, MiB, MiB, MiB]);
});

Deno.test("`Pump` grows its buffers when a later payload needs more, and keeps them", async () => {
  const pump = new Pump();
  const files = [1_000, 50_000, 2_000].map((size) => randomBytes(size));
  const sources = files.map((file) => memorySource(file));
  for (const [i, file] of files.entries()) {
    const sink = recordingSink();
    await pump.move(sources[i], sink, { length: file.byteLength });
    assertEquals(concat(...sink.writes), file);
  }
  assertEquals(sources.map((s) => s.requests.map((r) => r.asked)), [[1_000], [50_000], [2_000]]);
  assertEquals(sources.map((s) => s.buffers[0].byteLength), [1_000, 50_000, 50_000]);
  assert(sources[2].buffers[0] === sources[1].buffers[0], "the grown buffer was not kept");
});

Deno.test("`Pump` never grows its buffers past its chunk size", async () => {
  const pump = new Pump(4_096);
  const first = memorySource(randomBytes(100));
  await pump.move(first, recordingSink(), { length: 100 });
  const data = randomBytes(10_000);
  const second = memorySource(data);
  const sink = recordingSink();
  await pump.move(second, sink, { length: data.byteLength });
  assertEquals(first.buffers.map((b) => b.byteLength), [100]);
  assertEquals(second.requests.map((r) => r.asked), [4_096, 4_096, 1_808]);
  assertEquals(second.buffers.map((b) => b.byteLength), [4_096, 4_096, 4_096]);
  assertEquals(concat(...sink.writes), data);
});

Deno.test("`Pump` reused after a source transferred its buffers reads into the adopted ones", async () => {
  const pump = new Pump(1_000);
  for (const size of [5_000, 7_000]) {
    const data = randomBytes(size);
    const sink = recordingSink();
    await pump.move(transferringSource(data), sink, { length: size });
    assertEquals(concat(...sink.writes), data);
  }
});

Deno.test("`fileSource()` reads a file from its position and reports a short file", async () => {
  const path = await Deno.makeTempFile({ prefix: "ferry-pump-test-" });
  try {
    await Deno.writeFile(path, bytes("skip:the file's bytes"));
    {
      using file = await Deno.open(path, { read: true });
      await file.seek(5, Deno.SeekMode.Start);
      const sink = recordingSink();
      await new Pump().move(fileSource(file), sink, { length: 16 });
      assertEquals(text(concat(...sink.writes)), "the file's bytes");
    }
    using file = await Deno.open(path, { read: true });
    await assertRejects(
      () => new Pump().move(fileSource(file), recordingSink(), { length: 100 }),
      TransferError,
      "The file ended after 21 of 100 bytes",
    );
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("`payloadSource()` takes the decoder's buffered bytes first, then reads no further than the payload", async () => {
  const connection = scripted([concat(encodeField(10), bytes("0123")), bytes("456789AFTER")]);
  using channel = new Channel(connection);
  const payload = new PayloadDecoder("listing");
  assertEquals(await channel.next(payload), { type: "payload", length: 10 });
  const source = payloadSource(channel, payload);
  assertEquals(text(await source.read(new Uint8Array(2))), "01");
  assertEquals(text(await source.read(new Uint8Array(100))), "23");
  assertEquals(connection.pulls, 1, "buffered bytes came without reading the connection");
  assertEquals(text(await source.read(new Uint8Array(100))), "456789");
  assertEquals(payload.remaining, 0);
  // The bytes after the payload were not consumed: the channel still has them.
  assertEquals(text(await channel.read()), "AFTER");
});

Deno.test("`payloadSource()` leaves bytes the decoder holds past the payload for the decoder", async () => {
  const trailer = formatTrailer(sha256(bytes("abc")));
  const connection = scripted([concat(encodeFrame("abc"), encodeFrame(trailer))]);
  using channel = new Channel(connection);
  const payload = new PayloadDecoder("download");
  assertEquals(await channel.next(payload), { type: "payload", length: 3 });
  const sink = recordingSink();
  await new Pump(100).move(payloadSource(channel, payload), sink, { length: 3 });
  assertEquals(sink.writes.map(text), ["abc"]);
  assertEquals(await channel.next(payload), { type: "frame", text: trailer });
  assertEquals(await channel.next(payload), { type: "end" });
});

Deno.test("`sendPayload()` writes the length field, then the payload in 256 KiB slices", async () => {
  const connection = scripted();
  using channel = new Channel(connection);
  const data = randomBytes(MiB + 3);
  await sendPayload(channel, bytesSource(data), data.byteLength, { tail: () => bytes("T") });
  assertEquals(
    connection.written.map((w) => w.byteLength),
    [10, 256 << 10, 256 << 10, 256 << 10, 256 << 10, 3 + 1],
  );
  assertEquals(concat(...connection.written), concat(encodeField(MiB + 3), data, bytes("T")));
});

Deno.test("`sendPayload()` with one `pump` sends several frames, each with its length field", async () => {
  const connection = scripted();
  using channel = new Channel(connection);
  const pump = new Pump();
  const digest = await createDigest("sha256");
  const chunks = [bytes("first|"), bytes("second|"), bytes("third")];
  for (const chunk of chunks) {
    await sendPayload(channel, bytesSource(chunk), chunk.byteLength, { pump, digest });
  }
  assertEquals(
    concat(...connection.written),
    concat(...chunks.map((chunk) => encodeFrame(chunk))),
  );
  assertEquals(digest.hex(), sha256(concat(...chunks)));
});

Deno.test("`receivePayload()` fails with TransferError when the sender closes mid-payload", async () => {
  const [sender, receiver] = await channelPair();
  try {
    await sender.write(concat(encodeField(100), randomBytes(40)));
    await sender.closeWrite();
    const payload = new PayloadDecoder("download");
    assertEquals(await receiver.next(payload), { type: "payload", length: 100 });
    await assertRejects(
      () => receivePayload(receiver, payload, recordingSink(), 100),
      TransferError,
      "Connection closed after 40 of 100 bytes",
    );
  } finally {
    sender.close();
    receiver.close();
  }
});

Deno.test("`receivePayload()` reports a 71-byte chunk cut short by the end of stream as truncated", async () => {
  // Too short to be the trailer it starts like: it is a piece of the file, cut off.
  const cut = bytes(formatTrailer(sha256(bytes("abc"))).slice(0, 20));
  const connection = scripted([encodeFrame("abc"), concat(encodeField(71), cut)]);
  using channel = new Channel(connection);
  const payload = new PayloadDecoder("download");
  const pump = new Pump();
  const sink = recordingSink();
  assertEquals(await channel.next(payload), { type: "payload", length: 3 });
  await receivePayload(channel, payload, sink, 3, { pump });
  assertEquals(await channel.next(payload), { type: "payload", length: 71 });
  await assertRejects(
    () => receivePayload(channel, payload, sink, 71, { pump }),
    TransferError,
    "Connection closed after 20 of 71 bytes",
  );
  assertEquals(concat(...sink.writes), concat(bytes("abc"), cut));
});

/**
 * Receives every payload frame of a data connection into `sink` with one pump and
 * one digest, the way a client's `get` or a server's `put` does; returns the bytes
 * moved, their digest, the progress reported and the event that ended the payload.
 */
async function receiveFrames(channel: Channel, payload: PayloadDecoder, sink: ByteSink) {
  const pump = new Pump();
  const digest = await createDigest("sha256");
  const progress: number[] = [];
  let moved = 0;
  let event = await channel.next(payload);
  for (; event.type === "payload"; event = await channel.next(payload)) {
    await receivePayload(channel, payload, sink, event.length, {
      pump,
      digest,
      offset: moved,
      onProgress: (total) => progress.push(total),
    });
    moved += event.length;
  }
  return { moved, sha256: digest.hex(), progress, last: event };
}

/** Chunk sizes a base-protocol peer might send a file in: 64 KiB frames, one of 71 bytes. */
const FRAME_SIZES = [64 << 10, 71, 64 << 10, 1_000];

for (const ending of ["trailer", "empty frame and trailer", "end of stream"] as const) {
  Deno.test(`\`receivePayload()\` with one \`pump\` receives a download sent as several frames, then the ${ending}`, async () => {
    const chunks = FRAME_SIZES.map((size) => randomBytes(size));
    const file = concat(...chunks);
    const [sender, receiver] = await channelPair();
    try {
      const sending = (async () => {
        const pump = new Pump();
        for (const chunk of chunks) {
          await sendPayload(sender, bytesSource(chunk), chunk.byteLength, { pump });
        }
        if (ending !== "trailer") await sender.write(encodeField(0));
        if (ending !== "end of stream") {
          await sender.write(encodeFrame(formatTrailer(sha256(file))));
        }
        await sender.closeWrite();
      })();
      const sink = recordingSink();
      const received = await receiveFrames(receiver, new PayloadDecoder("download"), sink);
      await sending;
      assertEquals(concat(...sink.writes), file);
      assertEquals([received.moved, received.sha256], [file.byteLength, sha256(file)]);
      assertEquals(
        received.last,
        ending === "end of stream"
          ? { type: "end" }
          : { type: "frame", text: formatTrailer(sha256(file)) },
      );
      assertEquals(received.progress.at(-1), file.byteLength);
    } finally {
      sender.close();
      receiver.close();
    }
  });
}

for (const ending of ["end of stream", "empty frame"] as const) {
  Deno.test(`\`receivePayload()\` with one \`pump\` receives an upload sent as several frames, then the ${ending}`, async () => {
    const chunks = FRAME_SIZES.map((size) => randomBytes(size));
    const file = concat(...chunks);
    const [sender, receiver] = await channelPair();
    try {
      const sending = (async () => {
        const pump = new Pump();
        for (const chunk of chunks) {
          await sendPayload(sender, bytesSource(chunk), chunk.byteLength, { pump });
        }
        // An empty frame ends the file with the stream still open (for the status).
        if (ending === "empty frame") await sender.write(encodeField(0));
        else await sender.closeWrite();
      })();
      const sink = recordingSink();
      const received = await receiveFrames(receiver, new PayloadDecoder("upload"), sink);
      await sending;
      assertEquals(concat(...sink.writes), file);
      assertEquals([received.moved, received.sha256], [file.byteLength, sha256(file)]);
      assertEquals(received.last, { type: "end" });
    } finally {
      sender.close();
      receiver.close();
    }
  });
}

for (const size of [0, 1, 4095, MiB + 3, 5 * MiB]) {
  Deno.test(`\`sendPayload()\` and \`receivePayload()\` round-trip ${size} bytes over a socket`, async () => {
    const data = randomBytes(size);
    const [sender, receiver] = await channelPair();
    try {
      const sent: number[] = [];
      const sending = (async () => {
        const digest = await createDigest("sha256");
        await sendPayload(sender, bytesSource(data), size, {
          digest,
          tail: () => encodeFrame(formatTrailer(digest.hex())),
          onProgress: (moved) => sent.push(moved),
        });
        await sender.closeWrite();
        return digest.hex();
      })();

      const received = new Uint8Array(size);
      let length = 0;
      const sink: ByteSink = {
        write(chunk) {
          assert(length + chunk.byteLength <= size, `${length + chunk.byteLength} > ${size}`);
          received.set(chunk, length);
          length += chunk.byteLength;
          return Promise.resolve();
        },
      };
      const got: number[] = [];
      const payload = new PayloadDecoder("download");
      assertEquals(await receiver.next(payload), { type: "payload", length: size });
      const digest = await createDigest("sha256");
      await receivePayload(receiver, payload, sink, size, {
        digest,
        offset: 7,
        onProgress: (moved) => got.push(moved),
      });
      const sentHex = await sending;

      const expected = sha256(data);
      assertEquals([sentHex, digest.hex()], [expected, expected]);
      assertEquals([length, received], [size, data]);
      assertEquals(await receiver.next(payload), { type: "frame", text: formatTrailer(expected) });
      assertEquals(await receiver.next(payload), { type: "end" });
      assertEquals(
        [sent.at(-1), got.at(-1)],
        size === 0 ? [undefined, undefined] : [size, size + 7],
      );
    } finally {
      sender.close();
      receiver.close();
    }
  });
}

Deno.test("`Pump.move()` checks each chunk after reading it and before writing it", async () => {
  const sink = recordingSink();
  const checks: [number, number][] = [];
  await new Pump(4).move(bytesSource(bytes("0123456789")), sink, {
    length: 10,
    check: (moved) => void checks.push([moved, concat(...sink.writes).byteLength]),
  });
  // Each check sees the bytes read so far, while the chunk read last is still unwritten.
  assertEquals(checks, [[4, 0], [8, 4], [10, 8]]);
});

Deno.test("`Pump.move()` with a check that fails stops before that chunk: the last one waits for the last check", async () => {
  const written: Record<number, string> = { 4: "", 8: "<0123", 10: "<01234567" };
  for (const failAt of [4, 8, 10]) {
    const changed = new TransferError("changed");
    const sink = recordingSink();
    let tails = 0;
    const error = await assertRejects(
      () =>
        new Pump(4).move(bytesSource(bytes("0123456789")), sink, {
          length: 10,
          head: bytes("<"),
          check: (moved) => {
            if (moved === failAt) throw changed;
          },
          tail: () => (tails++, bytes(">")),
        }),
      TransferError,
    );
    assertEquals([error, tails], [changed, 0]);
    assertEquals(text(concat(...sink.writes)), written[failAt], `failed at ${failAt}`);
  }
});

Deno.test("`Pump.move()` checks an empty payload once, and a source that ends early before saying so", async () => {
  const checks: number[] = [];
  await new Pump().move(bytesSource(new Uint8Array(0)), recordingSink(), {
    length: 0,
    check: (moved) => void checks.push(moved),
  });
  assertEquals(checks, [0]);
  // A file that shrank: the check gets its say (and here throws its own error) first.
  await assertRejects(
    () =>
      new Pump(4).move(bytesSource(bytes("012345")), recordingSink(), {
        length: 10,
        check: (moved) => {
          if (moved === 6 && checks.push(moved) === 3) throw new TransferError("it shrank");
        },
      }),
    TransferError,
    "it shrank",
  );
});

Deno.test("`Pump.move()` waits for the write under way before it reports a failed check", async () => {
  let finishWrite = () => {};
  const writes: string[] = [];
  const sink: ByteSink = {
    write(chunk) {
      writes.push(text(chunk)!);
      return new Promise((resolve) => finishWrite = resolve);
    },
  };
  let settledFirst = false;
  const moving = new Pump(4).move(bytesSource(bytes("01234567")), sink, {
    length: 8,
    check: (moved) => {
      if (moved === 8) throw new TransferError("changed");
    },
  }).catch((error) => (settledFirst = true, error));
  await new Promise((resolve) => setTimeout(resolve, 10)); // Let the check fail meanwhile.
  assertEquals([writes, settledFirst], [["0123"], false]);
  finishWrite();
  assertEquals((await moving).message, "changed");
});

Deno.test("`Pump.move()` with `frameChunks` writes every chunk as a frame, head first", async () => {
  const sink = recordingSink();
  await new Pump(4).move(bytesSource(bytes("0123456789")), sink, {
    length: 10,
    head: bytes("<"),
    tail: () => bytes(">"),
    frameChunks: true,
  });
  assertEquals(sink.writes.map(text), ["<00000000040123", "00000000044567", "000000000289>"]);
});

Deno.test("`sendPayload()` framed sends the announcement, data frames, the empty frame and the end frame", async () => {
  const connection = scripted();
  using channel = new Channel(connection);
  const data = randomBytes(MiB + 3);
  const digest = await createDigest("sha256");
  await sendPayload(channel, bytesSource(data), data.byteLength, {
    digest,
    tail: () => encodeFrame(formatTrailer(digest.hex())),
    framed: { words: () => "unused" },
  });
  assertEquals(
    concat(...connection.written),
    concat(
      encodeFrame(`size ${MiB + 3}`),
      encodeField(MiB),
      data.subarray(0, MiB),
      encodeField(3),
      data.subarray(MiB),
      encodeField(0),
      encodeFrame(`sha256 ${sha256(data)}`),
    ),
  );
});

Deno.test("`sendPayload()` framed ends a failed send with the empty frame and an error, then throws", async () => {
  const connection = scripted();
  using channel = new Channel(connection);
  const changed = new TransferError('"a" changed while it was being sent; try again');
  const error = await assertRejects(
    () =>
      sendPayload(channel, bytesSource(bytes("0123456789")), 10, {
        pump: new Pump(4),
        check: (moved) => {
          if (moved === 8) throw changed;
        },
        tail: () => encodeFrame("sha256 unused"),
        framed: { words: (error) => (error as Error).message },
      }),
    TransferError,
  );
  assertEquals(error, changed);
  assertEquals(
    concat(...connection.written),
    concat(
      encodeFrame("size 10"),
      encodeFrame("0123"),
      encodeField(0),
      encodeFrame(`error ${changed.message}`),
    ),
  );
});

Deno.test("`chunksSource()` reads its pieces in order, across and within the pump's chunks", async () => {
  const pieces = [bytes("ab"), bytes(""), bytes("cdefg"), bytes("h")];
  const sink = recordingSink();
  await new Pump(3).move(chunksSource(pieces), sink, { length: 8 });
  assertEquals(sink.writes.map(text), ["ab", "cde", "fg", "h"]);
});

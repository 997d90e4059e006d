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
import { Channel } from "../../src/transport/channel.ts";
import type { Connection } from "../../src/transport/connection.ts";
import {
  type ByteSink,
  type ByteSource,
  bytesSource,
  fileSource,
  payloadSource,
  pump,
  receivePayload,
  sendPayload,
} from "../../src/transport/payload_pump.ts";
import { tcp } from "../../src/transport/tcp.ts";

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

/** Two channels over one loopback connection: [sender, receiver]. */
async function channelPair(): Promise<[Channel, Channel]> {
  const listener = tcp.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const [a, b] = await Promise.all([listener.accept(), tcp.connect(listener.addr)]);
    return [new Channel(a), new Channel(b)];
  } finally {
    listener.close();
  }
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

Deno.test("`pump()` moves the exact bytes and returns their SHA-256", async () => {
  const data = randomBytes(3 * MiB + 5);
  const sink = recordingSink();
  const hex = await pump(bytesSource(data), sink, {
    length: data.byteLength,
    digest: await createDigest("sha256"),
  });
  assertEquals(hex, sha256(data));
  assertEquals(concat(...sink.writes), data);
});

Deno.test("`pump()` over many small chunks still moves the exact bytes and digest", async () => {
  const data = randomBytes(10_000);
  const sink = recordingSink();
  const hex = await pump(bytesSource(data), sink, {
    length: data.byteLength,
    chunkSize: 777,
    digest: await createDigest("sha256"),
  });
  assertEquals(hex, sha256(data));
  assertEquals(concat(...sink.writes), data);
  assertEquals(sink.writes.length, Math.ceil(10_000 / 777));
});

Deno.test("`pump()` never asks its source for more than the payload's remaining bytes", async () => {
  const data = randomBytes(10_000);
  const source = memorySource(concat(data, bytes("NOT PART OF THE PAYLOAD")));
  const sink = recordingSink();
  await pump(source, sink, { length: data.byteLength, chunkSize: 3_000 });
  assertEquals(source.requests.map((r) => r.asked), [3_000, 3_000, 3_000, 1_000]);
  assertEquals(concat(...sink.writes), data);
});

Deno.test("`pump()` coalesces head, payload and tail of a small file into one write", async () => {
  const payload = bytes("hello");
  const head = encodeField(payload.byteLength);
  const sink = recordingSink();
  const hex = await pump(bytesSource(payload), sink, {
    length: payload.byteLength,
    digest: await createDigest("sha256"),
    head,
    tail: (digest) => encodeFrame(digest),
  });
  assertEquals(sink.writes, [concat(head, payload, encodeFrame(sha256(payload)))]);
  assertEquals(hex, sha256(payload));
});

Deno.test("`pump()` still coalesces a chunk of exactly 64 KiB with its head and tail", async () => {
  const payload = randomBytes(64 << 10);
  const sink = recordingSink();
  await pump(bytesSource(payload), sink, {
    length: payload.byteLength,
    head: bytes("HEAD"),
    tail: () => bytes("TAIL"),
  });
  assertEquals(sink.writes.map((w) => w.byteLength), [4 + (64 << 10) + 4]);
  assertEquals(sink.writes[0], concat(bytes("HEAD"), payload, bytes("TAIL")));
});

Deno.test("`pump()` writes a chunk over 64 KiB from the source's own memory, between head and tail", async () => {
  const payload = randomBytes((64 << 10) + 1);
  const source = memorySource(payload);
  const sink = recordingSink();
  await pump(source, sink, {
    length: payload.byteLength,
    head: bytes("HEAD"),
    tail: () => bytes("TAIL"),
  });
  assertEquals(sink.writes, [bytes("HEAD"), payload, bytes("TAIL")]);
  // No copy: the chunk the sink got is the very buffer the source filled.
  assert(sink.buffers[1] === source.buffers[0], "the large chunk was copied");
});

Deno.test("`pump()` sends the head with the first chunk and the tail with the last", async () => {
  const sink = recordingSink();
  await pump(bytesSource(bytes("0123456789")), sink, {
    length: 10,
    chunkSize: 4,
    head: bytes("<"),
    tail: () => bytes(">"),
  });
  assertEquals(sink.writes.map(text), ["<0123", "4567", "89>"]);
});

Deno.test("`pump()` of a zero-length payload writes head and tail once and never reads", async () => {
  const source = memorySource(bytes("unread"));
  const sink = recordingSink();
  const progress: number[] = [];
  const hex = await pump(source, sink, {
    length: 0,
    digest: await createDigest("sha256"),
    head: encodeField(0),
    tail: (digest) => encodeFrame(digest),
    onProgress: (moved) => progress.push(moved),
  });
  const emptyHex = sha256(new Uint8Array(0));
  assertEquals(hex, emptyHex);
  assertEquals(sink.writes, [concat(encodeField(0), encodeFrame(emptyHex))]);
  assertEquals([source.requests, progress], [[], []]);
});

Deno.test("`pump()` of a zero-length payload without head or tail writes nothing", async () => {
  const sink = recordingSink();
  assertEquals(await pump(bytesSource(new Uint8Array(0)), sink, { length: 0 }), "");
  assertEquals(sink.writes, []);
});

Deno.test("`pump()` throws the source's `endedEarly` error when it ends before the length", async () => {
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
      pump(source, sink, {
        length: 10,
        chunkSize: 2,
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
    () => pump(bytesSource(bytes("12345")), recordingSink(), { length: 10 }),
    TransferError,
    "The file ended after 5 of 10 bytes",
  );
});

Deno.test("`pump()` reports progress that never decreases, never runs ahead, and ends at length + offset", async () => {
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
  await pump(bytesSource(data), sink, {
    length: data.byteLength,
    offset,
    chunkSize: 1_000,
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

Deno.test("`pump()` counts only payload bytes as progress when head and tail share the writes", async () => {
  const progress: number[] = [];
  await pump(bytesSource(bytes("abcdef")), recordingSink(), {
    length: 6,
    head: bytes("0123456789"),
    tail: () => bytes("xyz"),
    writeSlice: 4,
    onProgress: (moved) => progress.push(moved),
  });
  // Writes end at 4, 8, 12, 16 and 19 bytes: 0, 0, 2, 6 and 6 payload bytes.
  assertEquals(progress, [2, 6, 6]);
});

Deno.test("`pump()` with `writeSlice` slices a coalesced write", async () => {
  const payload = randomBytes(1_000);
  const sink = recordingSink();
  await pump(bytesSource(payload), sink, {
    length: payload.byteLength,
    head: new Uint8Array(10),
    tail: () => new Uint8Array(5),
    writeSlice: 256,
  });
  assertEquals(sink.writes.map((w) => w.byteLength), [256, 256, 256, 247]);
  assertEquals(concat(...sink.writes), concat(new Uint8Array(10), payload, new Uint8Array(5)));
});

Deno.test("`pump()` with `writeSlice` slices a large chunk, but not its head or tail", async () => {
  const payload = randomBytes(100_000);
  const sink = recordingSink();
  await pump(bytesSource(payload), sink, {
    length: payload.byteLength,
    head: new Uint8Array(10),
    tail: () => new Uint8Array(5),
    writeSlice: 40_000,
  });
  assertEquals(sink.writes.map((w) => w.byteLength), [10, 40_000, 40_000, 20_000, 5]);
  assertEquals(concat(...sink.writes.slice(1, 4)), payload);
});

Deno.test("`pump()` with a tail that throws never writes the last chunk", async () => {
  const withheld = new Error("digest mismatch: withhold the end");
  const sink = recordingSink();
  const error = await assertRejects(
    () =>
      pump(bytesSource(bytes("0123456789")), sink, {
        length: 10,
        chunkSize: 4,
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

Deno.test("`pump()` of a one-chunk file whose tail rejects writes nothing at all", async () => {
  const sink = recordingSink();
  await assertRejects(
    () =>
      pump(bytesSource(bytes("small")), sink, {
        length: 5,
        head: encodeField(5),
        tail: () => Promise.reject(new TransferError("no trailer")),
      }),
    TransferError,
    "no trailer",
  );
  assertEquals(sink.writes, []);
});

Deno.test("`pump()` stops reading once its sink fails, and throws the sink's error", async () => {
  const failure = new Error("disk full");
  const source = memorySource(randomBytes(20));
  let writes = 0;
  const sink: ByteSink = {
    write: () => ++writes === 2 ? Promise.reject(failure) : Promise.resolve(),
  };
  const error = await assertRejects(() => pump(source, sink, { length: 20, chunkSize: 2 }), Error);
  assertEquals(error, failure);
  assert(source.requests.length < 10, `${source.requests.length} of 10 chunks read after failing`);
});

Deno.test("`pump()` adopts the buffer a source hands back (as a BYOB read transfers it)", async () => {
  const data = randomBytes(10_000);
  let offset = 0;
  const transferring: ByteSource = {
    read(view) {
      // Like a BYOB read: the pump's memory is detached, the bytes come back in a new buffer.
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
  const sink = recordingSink();
  const hex = await pump(transferring, sink, {
    length: data.byteLength,
    chunkSize: 1_000, // Ten chunks: every one of the three buffers is reused.
    digest: await createDigest("sha256"),
  });
  assertEquals([hex, concat(...sink.writes)], [sha256(data), data]);
});

Deno.test("`fileSource()` reads a file from its position and reports a short file", async () => {
  const path = await Deno.makeTempFile({ prefix: "ferry-pump-test-" });
  try {
    await Deno.writeFile(path, bytes("skip:the file's bytes"));
    {
      using file = await Deno.open(path, { read: true });
      await file.seek(5, Deno.SeekMode.Start);
      const sink = recordingSink();
      await pump(fileSource(file), sink, { length: 16 });
      assertEquals(text(concat(...sink.writes)), "the file's bytes");
    }
    using file = await Deno.open(path, { read: true });
    await assertRejects(
      () => pump(fileSource(file), recordingSink(), { length: 100 }),
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
  const payload = new PayloadDecoder({ payload: true, frameAfter: false });
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
  const connection = scripted([concat(encodeFrame("abc"), encodeFrame("trailer"))]);
  using channel = new Channel(connection);
  const payload = new PayloadDecoder({ payload: true, frameAfter: true });
  assertEquals(await channel.next(payload), { type: "payload", length: 3 });
  const sink = recordingSink();
  await pump(payloadSource(channel, payload), sink, { length: 3, chunkSize: 100 });
  assertEquals(sink.writes.map(text), ["abc"]);
  assertEquals(await channel.next(payload), { type: "frame", text: "trailer" });
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

Deno.test("`receivePayload()` fails with TransferError when the sender closes mid-payload", async () => {
  const [sender, receiver] = await channelPair();
  try {
    await sender.write(concat(encodeField(100), randomBytes(40)));
    await sender.closeWrite();
    const payload = new PayloadDecoder({ payload: true, frameAfter: true });
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

for (const size of [0, 1, 4095, MiB + 3, 5 * MiB]) {
  Deno.test(`\`sendPayload()\` and \`receivePayload()\` round-trip ${size} bytes over a socket`, async () => {
    const data = randomBytes(size);
    const [sender, receiver] = await channelPair();
    try {
      const sent: number[] = [];
      const sending = (async () => {
        const hex = await sendPayload(sender, bytesSource(data), size, {
          digest: await createDigest("sha256"),
          tail: (digest) => encodeFrame(digest),
          onProgress: (moved) => sent.push(moved),
        });
        await sender.closeWrite();
        return hex;
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
      const payload = new PayloadDecoder({ payload: true, frameAfter: true });
      assertEquals(await receiver.next(payload), { type: "payload", length: size });
      const receivedHex = await receivePayload(receiver, payload, sink, size, {
        digest: await createDigest("sha256"),
        offset: 7,
        onProgress: (moved) => got.push(moved),
      });
      const sentHex = await sending;

      const expected = sha256(data);
      assertEquals([sentHex, receivedHex], [expected, expected]);
      assertEquals([length, received], [size, data]);
      assertEquals(await receiver.next(payload), { type: "frame", text: expected });
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

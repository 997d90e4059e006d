import { assertEquals, assertThrows } from "../support/assert.ts";
import { ProtocolError, TransferError } from "../../src/common/errors.ts";
import { encodeFrame } from "../../src/protocol/field.ts";
import {
  PayloadDecoder,
  type PayloadEvent,
  type PayloadShape,
} from "../../src/protocol/payload_decoder.ts";
import { formatStatus, formatTrailer } from "../../src/protocol/trailers.ts";
import type { DigestName } from "../../src/common/digest.ts";

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

const DOWNLOAD: PayloadShape = "download";
const UPLOAD: PayloadShape = "upload";
const LISTING: PayloadShape = "listing";
const STATUS: PayloadShape = "status";

const HELLO = "Hello, world!\n";
const HELLO_SHA256 = "d9014c4624844aa5bac314773d6b689ad467fa4e1d1a50a1b8a99d5a95f72ff5";
// XXH3-128 of HELLO, from hash-wasm's one-shot function.
const HELLO_XXH128 = "c3082335d9e644a032c1b16a5ed98ffb";
const HI_SHA256 = "98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4";

/** A file as a base-protocol peer sends it: one frame per chunk. */
const CHUNKS = ["first chunk|", "second|", "third, and the last\n"];
const CHUNK_FRAMES = CHUNKS.map((chunk) => encodeFrame(chunk));
const CHUNK_EVENTS: PayloadEvent[] = CHUNKS.map((chunk) => ({
  type: "payload",
  length: chunk.length,
}));
const FILE = CHUNKS.join("");
const TRAILER = formatTrailer(HELLO_SHA256);
const EMPTY_FRAME = "0000000000";

/** 71 bytes, the length of a trailer, that are not one (the last digit is not hex). */
const NOT_A_TRAILER = `sha256 ${HELLO_SHA256.slice(0, 63)}g`;

const SIZES = [Infinity, 1, 3, 7];
const label = (size: number) => size === Infinity ? "whole" : `${size} byte(s) at a time`;

/**
 * Feeds `bytes` to a fresh decoder `size` bytes at a time (then the end of stream, if
 * `end`), the way a pump does: it reads events until one needs data, and while a
 * payload is owed it moves the bytes out with `takeBuffered()`. Stops at `end`, or when
 * out of bytes. Returns the events (without need-data), the payload moved, the
 * payload still owed, and how many bytes were left unread (buffered or never fed).
 */
function decode(
  shape: PayloadShape,
  bytes: Uint8Array,
  size: number,
  { end = true, digest }: { end?: boolean; digest?: DigestName } = {},
) {
  const decoder = new PayloadDecoder(shape, { digest });
  const events: PayloadEvent[] = [];
  const payload: Uint8Array[] = [];
  let offset = 0;
  let ended = false;
  const receiveMore = () => {
    if (offset < bytes.byteLength) {
      decoder.receive(bytes.subarray(offset, offset + size));
      offset += size;
      return true;
    }
    if (!end || ended) return false;
    decoder.receiveEnd();
    ended = true;
    return true;
  };
  for (;;) {
    if (decoder.remaining > 0) {
      payload.push(decoder.takeBuffered(Infinity));
      if (decoder.remaining > 0 && !receiveMore()) break;
      continue;
    }
    const event = decoder.next();
    if (event.type === "need-data") {
      if (!receiveMore()) break;
      continue;
    }
    events.push(event);
    if (event.type === "end") break;
  }
  const unread = decoder.buffered + Math.max(0, bytes.byteLength - offset);
  return {
    decoder,
    events,
    payload: text(concat(...payload)),
    remaining: decoder.remaining,
    unread,
  };
}

for (const size of SIZES) {
  Deno.test(`\`PayloadDecoder\` reads an xxh128 trailer in a session that agreed it, fed ${label(size)}`, () => {
    const trailer = formatTrailer(HELLO_XXH128, "xxh128");
    const bytes = concat(encodeFrame(HELLO), encodeFrame(trailer));
    const { events, payload } = decode(DOWNLOAD, bytes, size, { digest: "xxh128" });
    assertEquals(events, [
      { type: "payload", length: 14 },
      { type: "frame", text: trailer },
      { type: "end" },
    ]);
    assertEquals(payload, HELLO);
  });

  Deno.test(`\`PayloadDecoder\` takes a sha256 trailer for file bytes in an xxh128 session, fed ${label(size)}`, () => {
    const bytes = concat(encodeFrame(HELLO), encodeFrame(TRAILER));
    const { events, payload } = decode(DOWNLOAD, bytes, size, { digest: "xxh128" });
    assertEquals(events, [
      { type: "payload", length: 14 },
      { type: "payload", length: 71 },
      { type: "end" },
    ]);
    assertEquals(payload, HELLO + TRAILER);
  });

  Deno.test(`\`PayloadDecoder\` reads a get payload and trailer, fed ${label(size)}`, () => {
    const bytes = concat(encodeFrame(HELLO), encodeFrame(formatTrailer(HELLO_SHA256)));
    const { decoder: _, ...result } = decode(DOWNLOAD, bytes, size);
    assertEquals(result, {
      events: [
        { type: "payload", length: 14 },
        { type: "frame", text: `sha256 ${HELLO_SHA256}` },
        { type: "end" },
      ],
      payload: HELLO,
      remaining: 0,
      unread: 0,
    });
  });

  Deno.test(`\`PayloadDecoder\` reads an end where the trailer would be, fed ${label(size)}`, () => {
    const { events, payload } = decode(DOWNLOAD, encodeFrame(HELLO), size);
    assertEquals(events, [{ type: "payload", length: 14 }, { type: "end" }]);
    assertEquals(payload, HELLO);
  });

  Deno.test(`\`PayloadDecoder\` reads a zero-length payload, fed ${label(size)}`, () => {
    const empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const { events, payload } = decode(
      DOWNLOAD,
      concat("0000000000", encodeFrame(`sha256 ${empty}`)),
      size,
    );
    assertEquals(events, [
      { type: "payload", length: 0 },
      { type: "frame", text: `sha256 ${empty}` },
      { type: "end" },
    ]);
    assertEquals(payload, "");
  });

  Deno.test(`\`PayloadDecoder\` reads a listing and stops after it, fed ${label(size)}`, () => {
    // No end of stream: the listing shape is complete once the payload is in.
    const listing = "hello.txt\nnotes.md\nphotos/\n";
    const bytes = concat(encodeFrame(listing), "extra");
    const { events, payload, unread } = decode(LISTING, bytes, size, { end: false });
    assertEquals(events, [{ type: "payload", length: 27 }, { type: "end" }]);
    assertEquals(payload, listing);
    // Whatever followed is left alone, for the caller to notice (`buffered`).
    assertEquals(unread, 5);
  });

  Deno.test(`\`PayloadDecoder\` reads a status-only shape, fed ${label(size)}`, () => {
    const status = formatStatus({ ok: true, hex: HI_SHA256 });
    const { events, payload } = decode(STATUS, encodeFrame(status), size);
    assertEquals(events, [{ type: "frame", text: status }, { type: "end" }]);
    assertEquals(payload, "");
  });

  Deno.test(`\`PayloadDecoder\` leaves bytes after the trailer, fed ${label(size)}`, () => {
    const bytes = concat(encodeFrame("hi\n"), encodeFrame("sha256 " + HI_SHA256), "0000000002ls");
    const { events, payload, decoder, unread } = decode(DOWNLOAD, bytes, size, { end: false });
    assertEquals(events, [
      { type: "payload", length: 3 },
      { type: "frame", text: `sha256 ${HI_SHA256}` },
      { type: "end" },
    ]);
    assertEquals(payload, "hi\n");
    assertEquals(unread, 12);
    assertEquals(decoder.next(), { type: "end" });
  });

  Deno.test(`\`PayloadDecoder\` reads a download of three chunk frames, then the trailer, fed ${label(size)}`, () => {
    const bytes = concat(...CHUNK_FRAMES, encodeFrame(TRAILER));
    const { decoder: _, ...result } = decode(DOWNLOAD, bytes, size);
    assertEquals(result, {
      events: [...CHUNK_EVENTS, { type: "frame", text: TRAILER }, { type: "end" }],
      payload: FILE,
      remaining: 0,
      unread: 0,
    });
  });

  Deno.test(`\`PayloadDecoder\` reads a download's chunks, an empty frame, then the trailer, fed ${label(size)}`, () => {
    const bytes = concat(...CHUNK_FRAMES, EMPTY_FRAME, encodeFrame(TRAILER));
    const { decoder: _, ...result } = decode(DOWNLOAD, bytes, size);
    assertEquals(result, {
      events: [...CHUNK_EVENTS, { type: "frame", text: TRAILER }, { type: "end" }],
      payload: FILE,
      remaining: 0,
      unread: 0,
    });
  });

  Deno.test(`\`PayloadDecoder\` reads a download's chunks, an empty frame, then the end, fed ${label(size)}`, () => {
    const { events, payload } = decode(DOWNLOAD, concat(...CHUNK_FRAMES, EMPTY_FRAME), size);
    assertEquals(events, [...CHUNK_EVENTS, { type: "end" }]);
    assertEquals(payload, FILE);
  });

  Deno.test(`\`PayloadDecoder\` reads a download's chunks ended by the end of stream, fed ${label(size)}`, () => {
    const { decoder: _, ...result } = decode(DOWNLOAD, concat(...CHUNK_FRAMES), size);
    assertEquals(result, {
      events: [...CHUNK_EVENTS, { type: "end" }],
      payload: FILE,
      remaining: 0,
      unread: 0,
    });
  });

  Deno.test(`\`PayloadDecoder\` counts a 71-byte chunk that is not a trailer as payload, fed ${label(size)}`, () => {
    const bytes = concat(CHUNK_FRAMES[0], encodeFrame(NOT_A_TRAILER), encodeFrame(TRAILER));
    const { events, payload } = decode(DOWNLOAD, bytes, size);
    assertEquals(events, [
      CHUNK_EVENTS[0],
      { type: "payload", length: 71 },
      { type: "frame", text: TRAILER },
      { type: "end" },
    ]);
    assertEquals(payload, CHUNKS[0] + NOT_A_TRAILER);
  });

  Deno.test(`\`PayloadDecoder\` reads a first frame as payload even when it reads as a trailer, fed ${label(size)}`, () => {
    // A 71-byte file whose text is a trailer: only a frame after the payload can vouch.
    const bytes = concat(encodeFrame(TRAILER), encodeFrame(TRAILER));
    const { events, payload } = decode(DOWNLOAD, bytes, size);
    assertEquals(events, [
      { type: "payload", length: 71 },
      { type: "frame", text: TRAILER },
      { type: "end" },
    ]);
    assertEquals(payload, TRAILER);
  });

  Deno.test(`\`PayloadDecoder\` reads a 71-byte chunk cut short by the end as payload owed, fed ${label(size)}`, () => {
    // Too short to be a trailer: the pump moves what came and reports the cut.
    const cut = TRAILER.slice(0, 30);
    const bytes = concat(CHUNK_FRAMES[0], "0000000071", cut);
    const { events, payload, remaining, unread } = decode(DOWNLOAD, bytes, size);
    assertEquals(events, [CHUNK_EVENTS[0], { type: "payload", length: 71 }]);
    assertEquals([payload, remaining, unread], [CHUNKS[0] + cut, 71 - 30, 0]);
  });

  Deno.test(`\`PayloadDecoder\` reads an upload's chunks ended by the end of stream, fed ${label(size)}`, () => {
    const { decoder: _, ...result } = decode(UPLOAD, concat(...CHUNK_FRAMES), size);
    assertEquals(result, {
      events: [...CHUNK_EVENTS, { type: "end" }],
      payload: FILE,
      remaining: 0,
      unread: 0,
    });
  });

  Deno.test(`\`PayloadDecoder\` reads an upload's chunks ended by an empty frame, fed ${label(size)}`, () => {
    // No end of stream: the empty frame alone ends the file; what follows is left alone.
    const bytes = concat(...CHUNK_FRAMES, EMPTY_FRAME, "0000000002ls");
    const { events, payload, decoder, unread } = decode(UPLOAD, bytes, size, { end: false });
    assertEquals(events, [...CHUNK_EVENTS, { type: "end" }]);
    assertEquals([payload, unread], [FILE, 12]);
    assertEquals(decoder.next(), { type: "end" });
  });

  Deno.test(`\`PayloadDecoder\` reads an upload of an empty first frame (an empty file), then the end, fed ${label(size)}`, () => {
    const { decoder: _, ...result } = decode(UPLOAD, ascii(EMPTY_FRAME), size);
    assertEquals(result, {
      events: [{ type: "payload", length: 0 }, { type: "end" }],
      payload: "",
      remaining: 0,
      unread: 0,
    });
  });

  Deno.test(`\`PayloadDecoder\` reads an upload's trailer-like 71-byte frame as payload, fed ${label(size)}`, () => {
    // Only a download has a trailer; in an upload every frame is the file.
    const bytes = concat(CHUNK_FRAMES[0], encodeFrame(TRAILER));
    const { events, payload } = decode(UPLOAD, bytes, size);
    assertEquals(events, [CHUNK_EVENTS[0], { type: "payload", length: 71 }, { type: "end" }]);
    assertEquals(payload, CHUNKS[0] + TRAILER);
  });
}

Deno.test("`PayloadDecoder` announces the payload as soon as its length is in", () => {
  const decoder = new PayloadDecoder(DOWNLOAD);
  assertEquals(decoder.next(), { type: "need-data" });
  decoder.receive(ascii("00000"));
  assertEquals(decoder.next(), { type: "need-data" });
  decoder.receive(ascii("00010"));
  assertEquals(decoder.next(), { type: "payload", length: 10 });
  assertEquals(decoder.remaining, 10);
  assertEquals(decoder.buffered, 0);
  assertEquals(decoder.takeBuffered(100), new Uint8Array(0));
  assertEquals(decoder.remaining, 10);
});

Deno.test("`PayloadDecoder.next()` refuses to decode past an owed payload", () => {
  const decoder = new PayloadDecoder(DOWNLOAD);
  decoder.receive(ascii("0000000010abc"));
  decoder.next();
  assertThrows(() => decoder.next(), TypeError, "Cannot decode past a payload: 10 bytes are owed");
  decoder.takeBuffered(2);
  assertThrows(() => decoder.next(), TypeError, "Cannot decode past a payload: 8 bytes are owed");
});

Deno.test("`takeBuffered()` and `skip()` count the payload down", () => {
  const decoder = new PayloadDecoder(DOWNLOAD);
  decoder.receive(ascii("0000000010abc"));
  assertEquals(decoder.next(), { type: "payload", length: 10 });
  assertEquals(decoder.buffered, 3);
  assertEquals(text(decoder.takeBuffered(2)), "ab");
  assertEquals([decoder.remaining, decoder.buffered], [8, 1]);
  assertEquals(text(decoder.takeBuffered(100)), "c");
  assertEquals([decoder.remaining, decoder.buffered], [7, 0]);
  // The pump reads the other 7 bytes straight from the connection.
  decoder.skip(3);
  assertEquals(decoder.remaining, 4);
  assertThrows(() => decoder.skip(5), RangeError, "Cannot skip 5 bytes: only 4 are owed");
  assertEquals(decoder.remaining, 4);
  decoder.skip(4);
  assertEquals(decoder.remaining, 0);
  decoder.receive(encodeFrame("sha256 " + HELLO_SHA256));
  assertEquals(decoder.next(), { type: "frame", text: `sha256 ${HELLO_SHA256}` });
  assertEquals(decoder.next(), { type: "end" });
});

Deno.test("`takeBuffered()` never hands out bytes past the payload", () => {
  const decoder = new PayloadDecoder(DOWNLOAD);
  const trailer = encodeFrame("sha256 " + HI_SHA256);
  decoder.receive(concat("0000000003hi\n", trailer));
  decoder.next();
  assertEquals(text(decoder.takeBuffered(Infinity)), "hi\n");
  assertEquals(decoder.remaining, 0);
  assertEquals(decoder.buffered, trailer.byteLength);
  assertEquals(decoder.takeBuffered(Infinity), new Uint8Array(0));
  assertEquals(decoder.next(), { type: "frame", text: `sha256 ${HI_SHA256}` });
});

Deno.test("`skip(0)` is allowed with nothing owed", () => {
  const decoder = new PayloadDecoder(LISTING);
  decoder.skip(0);
  assertThrows(() => decoder.skip(1), RangeError, "Cannot skip 1 bytes: only 0 are owed");
});

Deno.test("`PayloadDecoder` reads a trailer frame after the payload", () => {
  const decoder = new PayloadDecoder(DOWNLOAD);
  decoder.receive(concat("0000000002hi", "0000000071sha256 "));
  decoder.next();
  decoder.takeBuffered(2);
  assertEquals(decoder.next(), { type: "need-data" });
  decoder.receive(ascii(HELLO_SHA256));
  assertEquals(decoder.next(), { type: "frame", text: `sha256 ${HELLO_SHA256}` });
  assertEquals(decoder.next(), { type: "end" });
  assertEquals(decoder.next(), { type: "end" });
});

Deno.test("`PayloadDecoder` reads the end where the trailer would start", () => {
  const decoder = new PayloadDecoder(DOWNLOAD);
  decoder.receive(ascii("0000000002hi"));
  decoder.next();
  decoder.takeBuffered(2);
  assertEquals(decoder.next(), { type: "need-data" });
  decoder.receiveEnd();
  assertEquals(decoder.next(), { type: "end" });
});

Deno.test("`PayloadDecoder` reads an end before the length field as end", () => {
  for (const shape of [DOWNLOAD, UPLOAD, LISTING]) {
    const decoder = new PayloadDecoder(shape);
    decoder.receiveEnd();
    assertEquals(decoder.next(), { type: "end" });
    assertEquals(decoder.remaining, 0);
  }
});

Deno.test("`PayloadDecoder` reads a status-only shape that ends without a status", () => {
  const decoder = new PayloadDecoder(STATUS);
  assertEquals(decoder.next(), { type: "need-data" });
  decoder.receiveEnd();
  assertEquals(decoder.next(), { type: "end" });
});

Deno.test("`PayloadDecoder` reads an error status", () => {
  const decoder = new PayloadDecoder(STATUS);
  decoder.receive(ascii('0000000047error "report.pdf" already exists on the server'));
  assertEquals(decoder.next(), {
    type: "frame",
    text: 'error "report.pdf" already exists on the server',
  });
});

Deno.test("`PayloadDecoder` reads a zero-length payload with nothing after it", () => {
  const decoder = new PayloadDecoder(LISTING);
  decoder.receive(ascii("0000000000"));
  assertEquals(decoder.next(), { type: "payload", length: 0 });
  assertEquals(decoder.remaining, 0);
  assertEquals(decoder.next(), { type: "end" });
});

Deno.test("`PayloadDecoder` decodes a trailer's invalid UTF-8 with U+FFFD", () => {
  const decoder = new PayloadDecoder(STATUS);
  decoder.receive(encodeFrame(new Uint8Array([0x6f, 0x6b, 0xff])));
  assertEquals(decoder.next(), { type: "frame", text: "ok\ufffd" });
});

Deno.test("`PayloadDecoder` rejects a malformed length field, quoting it", () => {
  const decoder = new PayloadDecoder(LISTING);
  decoder.receive(ascii("00000x0002"));
  const error = assertThrows(() => decoder.next(), ProtocolError);
  assertEquals(error.message, 'Cannot read field "00000x0002": expected 10 ASCII digits');
});

Deno.test("`PayloadDecoder` rejects a trailer over 4096 bytes before it arrives", () => {
  const decoder = new PayloadDecoder(DOWNLOAD);
  decoder.receive(ascii("0000000002hi00000000000000005000"));
  assertEquals(decoder.next(), { type: "payload", length: 2 });
  decoder.takeBuffered(2);
  const error = assertThrows(() => decoder.next(), ProtocolError);
  assertEquals(error.message, "Frame of 5000 bytes exceeds the 4096-byte limit");
});

Deno.test("`PayloadDecoder` rejects a status over 4096 bytes before it arrives", () => {
  const decoder = new PayloadDecoder(STATUS);
  decoder.receive(ascii("0000005000"));
  const error = assertThrows(() => decoder.next(), ProtocolError);
  assertEquals(error.message, "Frame of 5000 bytes exceeds the 4096-byte limit");
});

Deno.test("`PayloadDecoder` reads a large frame after a payload frame as more payload", () => {
  // No limit: without an empty frame first, only a 71-byte frame can be the trailer.
  const decoder = new PayloadDecoder(DOWNLOAD);
  decoder.receive(ascii("0000000002hi0000005000"));
  assertEquals(decoder.next(), { type: "payload", length: 2 });
  decoder.takeBuffered(2);
  assertEquals(decoder.next(), { type: "payload", length: 5000 });
  assertEquals(decoder.remaining, 5000);
});

Deno.test("`PayloadDecoder` reports a length field cut short", () => {
  const decoder = new PayloadDecoder(DOWNLOAD);
  decoder.receive(ascii("0000"));
  decoder.receiveEnd();
  const error = assertThrows(() => decoder.next(), TransferError);
  assertEquals(error.message, "Connection closed after 4 of 10 bytes");
});

Deno.test("`PayloadDecoder` reports a trailer cut short after the empty frame", () => {
  const decoder = new PayloadDecoder(DOWNLOAD);
  decoder.receive(ascii("0000000002hi00000000000000000071sha256 d9"));
  decoder.receiveEnd();
  assertEquals(decoder.next(), { type: "payload", length: 2 });
  decoder.takeBuffered(2);
  const error = assertThrows(() => decoder.next(), TransferError);
  assertEquals(error.message, "Connection closed after 9 of 71 bytes");
});

Deno.test("`PayloadDecoder` reads a 71-byte frame cut short after a payload frame as more payload", () => {
  // Unlike after an empty frame, it may be a piece of the file: the pump reports the cut.
  const decoder = new PayloadDecoder(DOWNLOAD);
  decoder.receive(ascii("0000000002hi0000000071sha256 d9"));
  decoder.receiveEnd();
  assertEquals(decoder.next(), { type: "payload", length: 2 });
  decoder.takeBuffered(2);
  assertEquals(decoder.next(), { type: "payload", length: 71 });
  assertEquals([text(decoder.takeBuffered(Infinity)), decoder.remaining], ["sha256 d9", 62]);
});

Deno.test("`PayloadDecoder` waits for all of a 71-byte frame before deciding what it is", () => {
  const decoder = new PayloadDecoder(DOWNLOAD);
  decoder.receive(ascii("0000000002hi"));
  assertEquals(decoder.next(), { type: "payload", length: 2 });
  decoder.takeBuffered(2);
  decoder.receive(concat("0000000071", NOT_A_TRAILER.slice(0, 70)));
  assertEquals(decoder.next(), { type: "need-data" });
  assertEquals(decoder.buffered, 80);
  decoder.receive(ascii(NOT_A_TRAILER.slice(70)));
  assertEquals(decoder.next(), { type: "payload", length: 71 });
  assertEquals(text(decoder.takeBuffered(Infinity)), NOT_A_TRAILER);
  assertEquals(decoder.next(), { type: "need-data" });
});

Deno.test("`PayloadDecoder` takes a trailer with uppercase hex as the trailer", () => {
  const upper = `sha256 ${HELLO_SHA256.toUpperCase()}`;
  const decoder = new PayloadDecoder(DOWNLOAD);
  decoder.receive(concat("0000000002hi", encodeFrame(upper)));
  assertEquals(decoder.next(), { type: "payload", length: 2 });
  decoder.takeBuffered(2);
  assertEquals(decoder.next(), { type: "frame", text: upper });
});

Deno.test("`PayloadDecoder` counts each frame's payload down on its own", () => {
  const decoder = new PayloadDecoder(UPLOAD);
  decoder.receive(ascii("0000000005ab"));
  assertEquals(decoder.next(), { type: "payload", length: 5 });
  assertEquals(text(decoder.takeBuffered(Infinity)), "ab");
  decoder.skip(3);
  decoder.receive(ascii("0000000004w"));
  assertEquals(decoder.next(), { type: "payload", length: 4 });
  assertEquals(decoder.remaining, 4);
  assertEquals(text(decoder.takeBuffered(Infinity)), "w");
  assertThrows(() => decoder.next(), TypeError, "Cannot decode past a payload: 3 bytes are owed");
  assertThrows(() => decoder.skip(4), RangeError, "Cannot skip 4 bytes: only 3 are owed");
  decoder.skip(3);
  decoder.receiveEnd();
  assertEquals(decoder.next(), { type: "end" });
});

Deno.test("`PayloadDecoder` reports a length field cut short after a payload frame", () => {
  for (const shape of [DOWNLOAD, UPLOAD]) {
    const decoder = new PayloadDecoder(shape);
    decoder.receive(ascii("0000000002hi0000"));
    decoder.receiveEnd();
    assertEquals(decoder.next(), { type: "payload", length: 2 });
    decoder.takeBuffered(2);
    const error = assertThrows(() => decoder.next(), TransferError);
    assertEquals(error.message, "Connection closed after 4 of 10 bytes");
  }
});

Deno.test("`PayloadDecoder` leaves a payload cut short for the pump to notice", () => {
  const { events, payload, remaining } = decode(LISTING, ascii("0000000010abc"), Infinity);
  assertEquals(events, [{ type: "payload", length: 10 }]);
  assertEquals(payload, "abc");
  assertEquals(remaining, 7);
});

const FRAMED: PayloadShape = "framed";
const ANNOUNCE_FILE = encodeFrame(`size ${FILE.length}`);
const CHANGED = 'error "big.bin" changed while it was being sent; try again';

for (const size of SIZES) {
  Deno.test(`\`PayloadDecoder\` reads a framed payload: size, data frames, empty frame, sha256, fed ${label(size)}`, () => {
    const bytes = concat(ANNOUNCE_FILE, ...CHUNK_FRAMES, EMPTY_FRAME, encodeFrame(TRAILER));
    const { decoder: _, ...result } = decode(FRAMED, bytes, size);
    assertEquals(result, {
      events: [
        { type: "size", total: FILE.length, from: 0 },
        ...CHUNK_EVENTS,
        { type: "frame", text: TRAILER },
        { type: "end" },
      ],
      payload: FILE,
      remaining: 0,
      unread: 0,
    });
  });

  Deno.test(`\`PayloadDecoder\` reads a framed payload stopped early with an error, fed ${label(size)}`, () => {
    const bytes = concat(ANNOUNCE_FILE, CHUNK_FRAMES[0], EMPTY_FRAME, encodeFrame(CHANGED));
    const { events, payload } = decode(FRAMED, bytes, size);
    assertEquals(events, [
      { type: "size", total: FILE.length, from: 0 },
      CHUNK_EVENTS[0],
      { type: "frame", text: CHANGED },
      { type: "end" },
    ]);
    assertEquals(payload, CHUNKS[0]);
  });

  Deno.test(`\`PayloadDecoder\` reads an empty framed payload and leaves what follows, fed ${label(size)}`, () => {
    const empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const bytes = concat(
      encodeFrame("size 0"),
      EMPTY_FRAME,
      encodeFrame(`sha256 ${empty}`),
      "more",
    );
    const { events, unread } = decode(FRAMED, bytes, size, { end: false });
    assertEquals(events, [
      { type: "size", total: 0, from: 0 },
      { type: "frame", text: `sha256 ${empty}` },
      { type: "end" },
    ]);
    assertEquals(unread, 4);
  });

  Deno.test(`\`PayloadDecoder\` reads a framed 71-byte data frame that looks like a trailer as data, fed ${label(size)}`, () => {
    const bytes = concat(
      encodeFrame("size 71"),
      encodeFrame(TRAILER),
      EMPTY_FRAME,
      encodeFrame(TRAILER),
    );
    const { events, payload } = decode(FRAMED, bytes, size);
    assertEquals(events, [
      { type: "size", total: 71, from: 0 },
      { type: "payload", length: 71 },
      { type: "frame", text: TRAILER },
      { type: "end" },
    ]);
    assertEquals(payload, TRAILER);
  });

  Deno.test(`\`PayloadDecoder\` never takes a framed payload cut short for a whole one, fed ${label(size)}`, () => {
    const whole = concat(ANNOUNCE_FILE, ...CHUNK_FRAMES, EMPTY_FRAME, encodeFrame(TRAILER));
    for (let cut = 1; cut < whole.byteLength; cut++) {
      // Cut inside a data frame: the payload is owed, for the pump to report. Anywhere
      // else: a TransferError. Never a clean end.
      try {
        const { events, remaining } = decode(FRAMED, whole.subarray(0, cut), size);
        assertEquals(events.some((event) => event.type === "end"), false, `cut at ${cut}`);
        assertEquals(remaining > 0, true, `cut at ${cut}`);
      } catch (error) {
        if (!(error instanceof TransferError)) throw error;
      }
    }
    assertEquals(decode(FRAMED, new Uint8Array(0), size).events, [{ type: "end" }]);
  });
}

Deno.test("`PayloadDecoder` reads a framed payload's announcement larger than a 10-digit field", () => {
  const decoder = new PayloadDecoder(FRAMED);
  decoder.receive(encodeFrame("size 12345678901234"));
  assertEquals(decoder.next(), { type: "size", total: 12345678901234, from: 0 });
  decoder.receive(ascii("0000000003abc"));
  assertEquals(decoder.next(), { type: "payload", length: 3 });
});

Deno.test("`PayloadDecoder` rejects malformed framed announcements, quoting them", () => {
  for (
    const text of [
      "size",
      "size 01",
      "size -1",
      "size 1e3",
      "SIZE 3",
      "size 3 ",
      "length 3",
      "size 99999999999999999",
    ]
  ) {
    const decoder = new PayloadDecoder(FRAMED);
    decoder.receive(encodeFrame(text));
    const error = assertThrows(() => decoder.next(), ProtocolError, text);
    assertEquals(
      error.message,
      `Cannot read payload announcement "${text}": expected "size <bytes>"`,
    );
  }
});

Deno.test("`PayloadDecoder` rejects a framed data frame over 1 MiB before it arrives", () => {
  const decoder = new PayloadDecoder(FRAMED);
  decoder.receive(concat(encodeFrame("size 5000000"), "0001048577"));
  decoder.next();
  const error = assertThrows(() => decoder.next(), ProtocolError);
  assertEquals(error.message, "Data frame of 1048577 bytes exceeds the 1048576-byte limit");
});

Deno.test("`PayloadDecoder` rejects framed data beyond the announced size", () => {
  const decoder = new PayloadDecoder(FRAMED);
  decoder.receive(concat(encodeFrame("size 3"), "0000000002hi", "0000000002"));
  decoder.next();
  assertEquals(decoder.next(), { type: "payload", length: 2 });
  decoder.takeBuffered(2);
  const error = assertThrows(() => decoder.next(), ProtocolError);
  assertEquals(error.message, "Data frames of 4 bytes exceed the 3 announced");
});

Deno.test("`PayloadDecoder` rejects a framed sha256 end frame after too little data", () => {
  const decoder = new PayloadDecoder(FRAMED);
  decoder.receive(concat(encodeFrame("size 3"), "0000000002hi", EMPTY_FRAME, encodeFrame(TRAILER)));
  decoder.next();
  decoder.next();
  decoder.takeBuffered(2);
  const error = assertThrows(() => decoder.next(), ProtocolError);
  assertEquals(error.message, "Payload ended after 2 of 3 bytes without an error");
});

Deno.test("`PayloadDecoder` reports a framed payload that ends where its end frame belongs", () => {
  const decoder = new PayloadDecoder(FRAMED);
  decoder.receive(concat(encodeFrame("size 2"), "0000000002hi", EMPTY_FRAME));
  decoder.receiveEnd();
  decoder.next();
  decoder.next();
  decoder.takeBuffered(2);
  const error = assertThrows(() => decoder.next(), TransferError);
  assertEquals(error.message, "Connection closed after 0 of 10 bytes");
});

Deno.test("`PayloadDecoder` reports a framed payload cut between data frames", () => {
  const decoder = new PayloadDecoder(FRAMED);
  decoder.receive(concat(encodeFrame("size 4"), "0000000002hi", "00000"));
  decoder.receiveEnd();
  decoder.next();
  decoder.next();
  decoder.takeBuffered(2);
  const error = assertThrows(() => decoder.next(), TransferError);
  assertEquals(error.message, "Connection closed after 5 of 10 bytes");
});

Deno.test("`PayloadDecoder` reads an end before a framed announcement as end (nothing was sent)", () => {
  const decoder = new PayloadDecoder(FRAMED);
  decoder.receiveEnd();
  assertEquals(decoder.next(), { type: "end" });
});

Deno.test("`PayloadDecoder` reads a resumed announcement only where `resume` was agreed", () => {
  const text = "size 10000000005 from 9999999999 version 10000000005-17";
  const resumable = new PayloadDecoder(FRAMED, { resumable: true });
  resumable.receive(concat(encodeFrame(text), ascii("0000000006abcdef0000000000")));
  assertEquals(resumable.next(), {
    type: "size",
    total: 10_000_000_005,
    from: 9_999_999_999,
    version: "10000000005-17",
  });
  assertEquals(resumable.next(), { type: "payload", length: 6 });
  resumable.skip(0);
  resumable.takeBuffered(6);
  resumable.receive(encodeFrame(`sha256 ${"0".repeat(64)}`));
  assertEquals(resumable.next(), { type: "frame", text: `sha256 ${"0".repeat(64)}` });
  const plain = new PayloadDecoder(FRAMED);
  plain.receive(encodeFrame(text));
  assertThrows(() => plain.next(), ProtocolError, 'expected "size <bytes>"');
});

Deno.test("`PayloadDecoder` holds a resumed payload's data frames to the bytes after its start", () => {
  const decoder = new PayloadDecoder(FRAMED, { resumable: true });
  decoder.receive(concat(encodeFrame("size 10 from 8"), ascii("0000000003")));
  decoder.next();
  assertThrows(
    () => decoder.next(),
    ProtocolError,
    "Data frames of 3 bytes exceed the 2 announced",
  );
  const early = new PayloadDecoder(FRAMED, { resumable: true });
  early.receive(encodeFrame("size 10 from 11"));
  assertThrows(() => early.next(), ProtocolError, "Cannot read payload announcement");
});

Deno.test("`PayloadDecoder` reads the longest resumed announcement there can be", () => {
  const longest = `size 9007199254740991 from 9007199254740990 version ${"v".repeat(64)}`;
  const decoder = new PayloadDecoder(FRAMED, { resumable: true });
  decoder.receive(encodeFrame(longest));
  assertEquals(decoder.next(), {
    type: "size",
    total: 9007199254740991,
    from: 9007199254740990,
    version: "v".repeat(64),
  });
});

import { assertEquals, assertThrows } from "../support/assert.ts";
import { ProtocolError, TransferError } from "../../src/common/errors.ts";
import { encodeFrame } from "../../src/protocol/field.ts";
import {
  PayloadDecoder,
  type PayloadEvent,
  type PayloadShape,
} from "../../src/protocol/payload_decoder.ts";
import { formatStatus, formatTrailer } from "../../src/protocol/trailers.ts";

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

const GET: PayloadShape = { payload: true, frameAfter: true };
const LS: PayloadShape = { payload: true, frameAfter: false };
const STATUS: PayloadShape = { payload: false, frameAfter: true };

const HELLO = "Hello, world!\n";
const HELLO_SHA256 = "d9014c4624844aa5bac314773d6b689ad467fa4e1d1a50a1b8a99d5a95f72ff5";
const HI_SHA256 = "98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4";

const SIZES = [Infinity, 1, 3, 7];
const label = (size: number) => size === Infinity ? "whole" : `${size} byte(s) at a time`;

/**
 * Feeds `bytes` to a fresh decoder `size` bytes at a time (then the end of stream, if
 * `end`), the way a pump does: it reads events until one needs data, and while a
 * payload is owed it moves the bytes out with `takeBuffered()`. Stops at `end`, or when
 * out of bytes. Returns the events (without need-data), the payload moved, the
 * payload still owed, and how many bytes were left unread (buffered or never fed).
 */
function decode(shape: PayloadShape, bytes: Uint8Array, size: number, end = true) {
  const decoder = new PayloadDecoder(shape);
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
  Deno.test(`\`PayloadDecoder\` reads a get payload and trailer, fed ${label(size)}`, () => {
    const bytes = concat(encodeFrame(HELLO), encodeFrame(formatTrailer(HELLO_SHA256)));
    const { decoder: _, ...result } = decode(GET, bytes, size);
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
    const { events, payload } = decode(GET, encodeFrame(HELLO), size);
    assertEquals(events, [{ type: "payload", length: 14 }, { type: "end" }]);
    assertEquals(payload, HELLO);
  });

  Deno.test(`\`PayloadDecoder\` reads a zero-length payload, fed ${label(size)}`, () => {
    const empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const { events, payload } = decode(
      GET,
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
    const { events, payload, unread } = decode(LS, bytes, size, false);
    assertEquals(events, [{ type: "payload", length: 27 }, { type: "end" }]);
    assertEquals(payload, listing);
    // Whatever followed is left alone, for the caller to notice (`buffered`).
    assertEquals(unread, 5);
  });

  Deno.test(`\`PayloadDecoder\` reads a status-only shape, fed ${label(size)}`, () => {
    const status = formatStatus({ ok: true, sha256: HI_SHA256 });
    const { events, payload } = decode(STATUS, encodeFrame(status), size);
    assertEquals(events, [{ type: "frame", text: status }, { type: "end" }]);
    assertEquals(payload, "");
  });

  Deno.test(`\`PayloadDecoder\` leaves bytes after the trailer, fed ${label(size)}`, () => {
    const bytes = concat(encodeFrame("hi\n"), encodeFrame("sha256 " + HI_SHA256), "0000000002ls");
    const { events, payload, decoder, unread } = decode(GET, bytes, size, false);
    assertEquals(events, [
      { type: "payload", length: 3 },
      { type: "frame", text: `sha256 ${HI_SHA256}` },
      { type: "end" },
    ]);
    assertEquals(payload, "hi\n");
    assertEquals(unread, 12);
    assertEquals(decoder.next(), { type: "end" });
  });
}

Deno.test("`PayloadDecoder` announces the payload as soon as its length is in", () => {
  const decoder = new PayloadDecoder(GET);
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
  const decoder = new PayloadDecoder(GET);
  decoder.receive(ascii("0000000010abc"));
  decoder.next();
  assertThrows(() => decoder.next(), TypeError, "Cannot decode past a payload: 10 bytes are owed");
  decoder.takeBuffered(2);
  assertThrows(() => decoder.next(), TypeError, "Cannot decode past a payload: 8 bytes are owed");
});

Deno.test("`takeBuffered()` and `skip()` count the payload down", () => {
  const decoder = new PayloadDecoder(GET);
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
  const decoder = new PayloadDecoder(GET);
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
  const decoder = new PayloadDecoder(LS);
  decoder.skip(0);
  assertThrows(() => decoder.skip(1), RangeError, "Cannot skip 1 bytes: only 0 are owed");
});

Deno.test("`PayloadDecoder` reads a trailer frame after the payload", () => {
  const decoder = new PayloadDecoder(GET);
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
  const decoder = new PayloadDecoder(GET);
  decoder.receive(ascii("0000000002hi"));
  decoder.next();
  decoder.takeBuffered(2);
  assertEquals(decoder.next(), { type: "need-data" });
  decoder.receiveEnd();
  assertEquals(decoder.next(), { type: "end" });
});

Deno.test("`PayloadDecoder` reads an end before the length field as end", () => {
  for (const shape of [GET, LS]) {
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
  const decoder = new PayloadDecoder(LS);
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
  const decoder = new PayloadDecoder(LS);
  decoder.receive(ascii("00000x0002"));
  const error = assertThrows(() => decoder.next(), ProtocolError);
  assertEquals(error.message, 'Cannot read field "00000x0002": expected 10 ASCII digits');
});

Deno.test("`PayloadDecoder` rejects a trailer over 4096 bytes before it arrives", () => {
  const decoder = new PayloadDecoder(GET);
  decoder.receive(ascii("00000000000000005000"));
  assertEquals(decoder.next(), { type: "payload", length: 0 });
  const error = assertThrows(() => decoder.next(), ProtocolError);
  assertEquals(error.message, "Frame of 5000 bytes exceeds the 4096-byte limit");
});

Deno.test("`PayloadDecoder` reports a length field cut short", () => {
  const decoder = new PayloadDecoder(GET);
  decoder.receive(ascii("0000"));
  decoder.receiveEnd();
  const error = assertThrows(() => decoder.next(), TransferError);
  assertEquals(error.message, "Connection closed after 4 of 10 bytes");
});

Deno.test("`PayloadDecoder` reports a trailer cut short", () => {
  const decoder = new PayloadDecoder(GET);
  decoder.receive(ascii("00000000000000000071sha256 d9"));
  decoder.receiveEnd();
  decoder.next();
  const error = assertThrows(() => decoder.next(), TransferError);
  assertEquals(error.message, "Connection closed after 9 of 71 bytes");
});

Deno.test("`PayloadDecoder` leaves a payload cut short for the pump to notice", () => {
  const { events, payload, remaining } = decode(LS, ascii("0000000010abc"), Infinity);
  assertEquals(events, [{ type: "payload", length: 10 }]);
  assertEquals(payload, "abc");
  assertEquals(remaining, 7);
});

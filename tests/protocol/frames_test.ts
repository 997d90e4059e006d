import { assert, assertEquals, assertThrows } from "../support/assert.ts";
import { ProtocolError, TransferError } from "../../src/common/errors.ts";
import { encodeFrame } from "../../src/protocol/field.ts";
import { cutShort, END, NEED_DATA, takeField, takeFrame } from "../../src/protocol/frames.ts";
import { ReceiveBuffer } from "../../src/protocol/receive_buffer.ts";

const ascii = (text: string) => new TextEncoder().encode(text);
const text = (item: Uint8Array | symbol) =>
  typeof item === "symbol" ? item : new TextDecoder().decode(item);

function bufferOf(content: string | Uint8Array, ended = false): ReceiveBuffer {
  const buffer = new ReceiveBuffer();
  buffer.receive(typeof content === "string" ? ascii(content) : content);
  if (ended) buffer.receiveEnd();
  return buffer;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.byteLength;
  }
  return all;
}

Deno.test("`takeField()` takes exactly 10 bytes", () => {
  const buffer = bufferOf("0000041234extra");
  assertEquals(text(takeField(buffer)), "0000041234");
  assertEquals(buffer.length, 5);
});

Deno.test("`takeField()` needs data until all 10 bytes are in", () => {
  const buffer = bufferOf("00000");
  assertEquals(takeField(buffer), NEED_DATA);
  assertEquals(buffer.length, 5);
  buffer.receive(ascii("41234"));
  assertEquals(text(takeField(buffer)), "0000041234");
});

Deno.test("`takeField()` does not decode the field", () => {
  assertEquals(text(takeField(bufferOf("not digits"))), "not digits");
});

Deno.test("`takeField()` reports a clean end at a field boundary", () => {
  assertEquals(takeField(bufferOf("", true)), END);
});

Deno.test("`takeField()` reports a stream that ended mid-field", () => {
  const error = assertThrows(() => takeField(bufferOf("00000", true)), TransferError);
  assertEquals(error.message, "Connection closed after 5 of 10 bytes");
});

Deno.test("`takeFrame()` takes a whole frame's payload", () => {
  const buffer = bufferOf(encodeFrame("get a file"));
  assertEquals(text(takeFrame(buffer, 100)), "get a file");
  assertEquals(buffer.length, 0);
});

Deno.test("`takeFrame()` takes an empty frame", () => {
  assertEquals(text(takeFrame(bufferOf("0000000000"), 100)), "");
});

Deno.test("`takeFrame()` leaves trailing bytes for the next take", () => {
  const buffer = bufferOf(concat(encodeFrame("ls"), ascii("0000041234extra")));
  assertEquals(text(takeFrame(buffer, 100)), "ls");
  assertEquals(text(takeField(buffer)), "0000041234");
  assertEquals(text(buffer.take(5)!), "extra");
  assertEquals(buffer.length, 0);
});

Deno.test("`takeFrame()` takes several frames from one chunk", () => {
  const buffer = bufferOf(concat(encodeFrame("get a file"), encodeFrame(""), encodeFrame("quit")));
  buffer.receiveEnd();
  assertEquals(text(takeFrame(buffer, 100)), "get a file");
  assertEquals(text(takeFrame(buffer, 100)), "");
  assertEquals(text(takeFrame(buffer, 100)), "quit");
  assertEquals(takeFrame(buffer, 100), END);
});

for (const size of [1, 3, 7]) {
  Deno.test(`\`takeFrame()\` reads frames arriving ${size} byte(s) at a time`, () => {
    const bytes = concat(encodeFrame("get a file"), encodeFrame(""), encodeFrame("quit"));
    const buffer = new ReceiveBuffer();
    const frames: (string | symbol)[] = [];
    const drain = () => {
      for (let item; (item = takeFrame(buffer, 100)) !== NEED_DATA;) {
        frames.push(text(item));
        if (item === END) return;
      }
    };
    for (let offset = 0; offset < bytes.byteLength; offset += size) {
      buffer.receive(bytes.subarray(offset, offset + size));
      drain();
    }
    buffer.receiveEnd();
    drain();
    assertEquals(frames, ["get a file", "", "quit", END]);
  });
}

Deno.test("`takeFrame()` keeps a partial frame in the buffer until it is whole", () => {
  const buffer = bufferOf("0000000005ab");
  assertEquals(takeFrame(buffer, 100), NEED_DATA);
  assertEquals(buffer.length, 12);
  buffer.receive(ascii("cde"));
  assertEquals(text(takeFrame(buffer, 100)), "abcde");
});

Deno.test("`takeFrame()` checks the length before the payload arrives", () => {
  const error = assertThrows(() => takeFrame(bufferOf("9999999999"), 4096), ProtocolError);
  assertEquals(error.message, "Frame of 9999999999 bytes exceeds the 4096-byte limit");
});

Deno.test("`takeFrame()` accepts a frame of exactly the limit", () => {
  const payload = "x".repeat(4096);
  assertEquals(text(takeFrame(bufferOf(encodeFrame(payload)), 4096)), payload);
  assertThrows(
    () => takeFrame(bufferOf(encodeFrame(payload + "x")), 4096),
    ProtocolError,
    "Frame of 4097 bytes exceeds the 4096-byte limit",
  );
});

Deno.test("`takeFrame()` rejects a malformed length field, quoting it", () => {
  const error = assertThrows(() => takeFrame(bufferOf("00000x0002ab"), 100), ProtocolError);
  assertEquals(error.message, 'Cannot read field "00000x0002": expected 10 ASCII digits');
});

Deno.test("`takeFrame()` rejects a signed length field", () => {
  assertThrows(
    () => takeFrame(bufferOf("        -1"), 100),
    ProtocolError,
    'Cannot read field "        -1"',
  );
});

Deno.test("`takeFrame()` reports a clean end at a frame boundary", () => {
  const buffer = bufferOf(encodeFrame("ls"), true);
  assertEquals(text(takeFrame(buffer, 100)), "ls");
  assertEquals(takeFrame(buffer, 100), END);
});

Deno.test("`takeFrame()` reports a header cut short", () => {
  const error = assertThrows(() => takeFrame(bufferOf("00000", true), 100), TransferError);
  assertEquals(error.message, "Connection closed after 5 of 10 bytes");
});

Deno.test("`takeFrame()` reports a payload cut short", () => {
  const error = assertThrows(() => takeFrame(bufferOf("0000000010abc", true), 100), TransferError);
  assertEquals(error.message, "Connection closed after 3 of 10 bytes");
});

Deno.test("`takeFrame()` reports a missing payload", () => {
  const error = assertThrows(() => takeFrame(bufferOf("0000000010", true), 100), TransferError);
  assertEquals(error.message, "Connection closed after 0 of 10 bytes");
});

Deno.test("`takeFrame()` checks the limit even when the stream has ended", () => {
  assertThrows(
    () => takeFrame(bufferOf("0000005000", true), 4096),
    ProtocolError,
    "Frame of 5000 bytes exceeds the 4096-byte limit",
  );
});

Deno.test("`cutShort()` says how far the stream got", () => {
  const error = cutShort(7, 42);
  assert(error instanceof TransferError, `expected a TransferError, got ${error}`);
  assertEquals(error.message, "Connection closed after 7 of 42 bytes");
});

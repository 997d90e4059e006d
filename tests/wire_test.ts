import { assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { ProtocolError, TransferError } from "../src/errors.ts";
import {
  decodeField,
  decodeSignedField,
  encodeField,
  encodeFrame,
  FrameReader,
  MAX_PAYLOAD,
} from "../src/wire.ts";
import { byteStream, concat } from "./helpers.ts";

const ascii = (text: string) => new TextEncoder().encode(text);
const text = (bytes: Uint8Array | null) => bytes === null ? null : new TextDecoder().decode(bytes);

Deno.test("encodeField() zero-pads to 10 digits", () => {
  assertEquals(text(encodeField(0)), "0000000000");
  assertEquals(text(encodeField(42)), "0000000042");
  assertEquals(text(encodeField(MAX_PAYLOAD)), "9999999999");
});

Deno.test("encodeField() rejects negative, fractional and too-large values", () => {
  for (const value of [-1, 1.5, MAX_PAYLOAD + 1, NaN]) {
    assertThrows(() => encodeField(value), RangeError);
  }
});

Deno.test("decodeField() reads zero-padded and space-padded fields", () => {
  assertEquals(decodeField(ascii("0000000042")), 42);
  assertEquals(decodeField(ascii("        42")), 42);
  assertEquals(decodeField(ascii("42        ")), 42);
  assertEquals(decodeField(ascii("  00042   ")), 42);
  assertEquals(decodeField(ascii("9999999999")), MAX_PAYLOAD);
});

Deno.test("decodeField() rejects a header with non-digit bytes", () => {
  for (
    const bad of [
      "12ab567890",
      "          ",
      "00 0000042",
      "-000000001",
      "+000000042",
      "0x00000042",
    ]
  ) {
    assertThrows(() => decodeField(ascii(bad)), ProtocolError, "expected 10 ASCII digits");
  }
});

Deno.test("decodeField() shows control bytes escaped in its message", () => {
  const error = assertThrows(() => decodeField(ascii("\x1b[31m00000")), ProtocolError);
  assertEquals(error.message.includes("\x1b"), false);
  assertEquals(error.message.includes("\\u001b"), true);
});

Deno.test("decodeSignedField() reads the negative refusals of base-protocol servers", () => {
  assertEquals(decodeSignedField(ascii("-000000001")), -1);
  assertEquals(decodeSignedField(ascii("        -1")), -1);
  assertEquals(decodeSignedField(ascii("0000041234")), 41234);
  assertThrows(() => decodeSignedField(ascii("---------1")), ProtocolError);
});

Deno.test("encodeFrame() prefixes the UTF-8 byte length", () => {
  assertEquals(text(encodeFrame("ls")), "0000000002ls");
  assertEquals(text(encodeFrame("get é")), "0000000006get é");
  assertEquals(text(encodeFrame(new Uint8Array(0))), "0000000000");
});

const twoFrames = concat(encodeFrame("get a file"), encodeFrame(""), encodeFrame("quit"));

for (const pieceSize of [twoFrames.byteLength, 1, 3, 7]) {
  Deno.test(`FrameReader reads frames delivered ${pieceSize} byte(s) at a time`, async () => {
    const reader = new FrameReader(byteStream(twoFrames, pieceSize));
    assertEquals(text(await reader.readFrame(100)), "get a file");
    assertEquals(text(await reader.readFrame(100)), "");
    assertEquals(text(await reader.readFrame(100)), "quit");
    assertEquals(await reader.readFrame(100), null);
  });
}

Deno.test("FrameReader leaves trailing bytes for the next read", async () => {
  const reader = new FrameReader(byteStream(concat(encodeFrame("ls"), "0000041234extra")));
  assertEquals(text(await reader.readFrame(100)), "ls");
  assertEquals(decodeField((await reader.readField())!), 41234);
  assertEquals(text(await reader.readExact(5)), "extra");
  assertEquals(await reader.readField(), null);
});

Deno.test("readFrame() rejects a length over the limit before reading the payload", async () => {
  const reader = new FrameReader(byteStream(ascii("9999999999")));
  await assertRejects(() => reader.readFrame(4096), ProtocolError, "exceeds the 4096-byte limit");
});

Deno.test("readFrame() reports a header cut short", async () => {
  const reader = new FrameReader(byteStream(ascii("00000"), 2));
  await assertRejects(() => reader.readFrame(100), TransferError, "after 5 of 10 bytes");
});

Deno.test("readFrame() reports a payload cut short", async () => {
  const reader = new FrameReader(byteStream(ascii("0000000010abc"), 1));
  await assertRejects(() => reader.readFrame(100), TransferError, "after 3 of 10 bytes");
});

Deno.test("readFrame() reports a missing payload", async () => {
  const reader = new FrameReader(byteStream(ascii("0000000010")));
  await assertRejects(() => reader.readFrame(100), TransferError, "after 0 of 10 bytes");
});

Deno.test("readChunk() streams a payload in pieces no larger than asked", async () => {
  const reader = new FrameReader(byteStream(ascii("abcdefghij"), 4), 3);
  const pieces: string[] = [];
  for (let chunk; (chunk = await reader.readChunk(100)) !== null;) pieces.push(text(chunk)!);
  assertEquals(pieces.join(""), "abcdefghij");
  assertEquals(pieces.every((piece) => piece.length <= 3), true);
});

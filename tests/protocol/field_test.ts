import { assertEquals, assertThrows } from "../support/assert.ts";
import { ProtocolError } from "../../src/common/errors.ts";
import {
  decodeField,
  decodeSignedField,
  encodeField,
  encodeFrame,
  FIELD_LENGTH,
  MAX_FIELD_VALUE,
} from "../../src/protocol/field.ts";

const ascii = (text: string) => new TextEncoder().encode(text);
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test("`FIELD_LENGTH` and `MAX_FIELD_VALUE` describe a 10-digit field", () => {
  assertEquals(FIELD_LENGTH, 10);
  assertEquals(MAX_FIELD_VALUE, 9_999_999_999);
});

Deno.test("`encodeField()` zero-pads to 10 digits", () => {
  assertEquals(text(encodeField(0)), "0000000000");
  assertEquals(text(encodeField(42)), "0000000042");
  assertEquals(text(encodeField(41234)), "0000041234");
  assertEquals(text(encodeField(MAX_FIELD_VALUE)), "9999999999");
});

Deno.test("`encodeField()` rejects negative, fractional, too-large and non-numbers", () => {
  for (const value of [-1, 1.5, MAX_FIELD_VALUE + 1, NaN, Infinity, 2 ** 53]) {
    assertThrows(() => encodeField(value), RangeError, `Cannot encode field ${value}`);
  }
});

Deno.test("`decodeField()` reads zero-padded and space-padded fields (§2.1 table)", () => {
  assertEquals(decodeField(ascii("0000000042")), 42);
  assertEquals(decodeField(ascii("        42")), 42);
  assertEquals(decodeField(ascii("42        ")), 42);
  assertEquals(decodeField(ascii("   0042   ")), 42);
  assertEquals(decodeField(ascii("  00042   ")), 42);
  assertEquals(decodeField(ascii("0000000000")), 0);
  assertEquals(decodeField(ascii("9999999999")), MAX_FIELD_VALUE);
});

Deno.test("`decodeField()` rejects non-digits, inner spaces, signs and ten spaces", () => {
  for (
    const bad of [
      "12ab567890",
      "          ",
      "00 0000042",
      "0000 00042",
      "00000x0002",
      "-000000001",
      "        -1",
      "+000000042",
      "0x00000042",
    ]
  ) {
    const error = assertThrows(() => decodeField(ascii(bad)), ProtocolError);
    assertEquals(error.message, `Cannot read field "${bad}": expected 10 ASCII digits`);
  }
});

Deno.test("`decodeField()` rejects a tab as padding, escaped in the message", () => {
  const error = assertThrows(() => decodeField(ascii("000000004\t")), ProtocolError);
  assertEquals(error.message, 'Cannot read field "000000004\\u0009": expected 10 ASCII digits');
});

Deno.test("`decodeField()` rejects bytes outside ASCII", () => {
  const field = new Uint8Array([0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x34, 0xb2]);
  assertThrows(() => decodeField(field), ProtocolError, "expected 10 ASCII digits");
});

Deno.test("`decodeField()` shows control bytes escaped in its message", () => {
  const error = assertThrows(() => decodeField(ascii("\x1b[31m00000")), ProtocolError);
  assertEquals(error.message, 'Cannot read field "\\u001b[31m00000": expected 10 ASCII digits');
});

Deno.test("`decodeField()` insists on exactly 10 bytes", () => {
  assertThrows(() => decodeField(ascii("42")), RangeError, "field of 2 bytes: expected 10");
  assertThrows(() => decodeField(ascii("00000000042")), RangeError, "of 11 bytes");
});

Deno.test("`decodeSignedField()` reads the negative refusals of base-protocol servers", () => {
  assertEquals(decodeSignedField(ascii("-000000001")), -1);
  assertEquals(decodeSignedField(ascii("        -1")), -1);
  assertEquals(decodeSignedField(ascii("-1        ")), -1);
  assertEquals(decodeSignedField(ascii("0000041234")), 41234);
  assertEquals(decodeSignedField(ascii("0000000000")), 0);
});

Deno.test("`decodeSignedField()` still rejects malformed fields", () => {
  for (
    const bad of [
      "---------1",
      "00000x0002",
      "0000 00042",
      "-         ",
      "1-00000000",
      "- 1       ",
    ]
  ) {
    const error = assertThrows(() => decodeSignedField(ascii(bad)), ProtocolError);
    assertEquals(error.message, `Cannot read field "${bad}": expected 10 ASCII digits`);
  }
});

Deno.test("`encodeFrame()` prefixes the UTF-8 byte length", () => {
  assertEquals(text(encodeFrame("ls")), "0000000002ls");
  assertEquals(text(encodeFrame("get é")), "0000000006get é");
  assertEquals(text(encodeFrame("")), "0000000000");
  assertEquals(text(encodeFrame(new Uint8Array(0))), "0000000000");
  assertEquals(
    encodeFrame(new Uint8Array([0, 255])),
    new Uint8Array([...ascii("0000000002"), 0, 255]),
  );
});

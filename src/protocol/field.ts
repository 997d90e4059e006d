/**
 * The wire format's one building block: a 10-byte ASCII decimal field, used both as
 * a frame's length header (`0000000042` + 42 bytes) and as a bare port reply. Pure
 * encode and decode functions; `docs/PROTOCOL.md` §2 is the normative description.
 *
 * @module
 */

import { ProtocolError } from "../common/errors.ts";
import { quote } from "../common/text.ts";

/** Length of every header and port field, in bytes. */
export const FIELD_LENGTH = 10;

/** The largest value a 10-digit field can carry, so the largest payload of one frame. */
export const MAX_FIELD_VALUE = 9_999_999_999;

const encoder = new TextEncoder();
const ZERO = 0x30;
const SPACE = 0x20;
const MINUS = 0x2d;

/** Encodes `value` as a zero-padded 10-byte field, e.g. `42` as `0000000042`. */
export function encodeField(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_FIELD_VALUE) {
    throw new RangeError(
      `Cannot encode field ${value}: expected a whole number from 0 to ${MAX_FIELD_VALUE}`,
    );
  }
  return encoder.encode(String(value).padStart(FIELD_LENGTH, "0"));
}

/** Encodes a whole frame: the length field followed by `payload` (a string as UTF-8). */
export function encodeFrame(payload: Uint8Array | string): Uint8Array {
  const body = typeof payload === "string" ? encoder.encode(payload) : payload;
  const frame = new Uint8Array(FIELD_LENGTH + body.byteLength);
  frame.set(encodeField(body.byteLength));
  frame.set(body, FIELD_LENGTH);
  return frame;
}

/**
 * Decodes a frame length field. Accepts zero padding and space padding on either
 * side of the digits; anything else is a {@linkcode ProtocolError}.
 */
export function decodeField(field: Uint8Array): number {
  return decode(field, false);
}

/**
 * Decodes a reply field, which unlike a length may be negative: some
 * implementations answer a refused command with `-1`.
 */
export function decodeSignedField(field: Uint8Array): number {
  return decode(field, true);
}

function decode(field: Uint8Array, signed: boolean): number {
  if (field.byteLength !== FIELD_LENGTH) {
    throw new RangeError(
      `Cannot decode field of ${field.byteLength} bytes: expected ${FIELD_LENGTH}`,
    );
  }
  let start = 0;
  let end = FIELD_LENGTH;
  while (start < end && field[start] === SPACE) start++;
  while (end > start && field[end - 1] === SPACE) end--;
  const negative = signed && field[start] === MINUS;
  if (negative) start++;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = field[i] - ZERO;
    if (digit < 0 || digit > 9) value = NaN;
    value = value * 10 + digit;
  }
  if (start === end || Number.isNaN(value)) {
    throw new ProtocolError(
      `Cannot read field ${quote(String.fromCharCode(...field))}: expected 10 ASCII digits`,
    );
  }
  return negative ? -value : value;
}

/**
 * Whether `bytes` could be the start of a field: only digits, spaces and a minus
 * sign. What a server sends before it is asked (an SSH, SMTP or FTP greeting), or an
 * answer in another protocol altogether, fails this within its first bytes.
 */
export function couldStartField(bytes: Uint8Array): boolean {
  for (const byte of bytes.subarray(0, FIELD_LENGTH)) {
    if (!((byte >= ZERO && byte <= ZERO + 9) || byte === SPACE || byte === MINUS)) return false;
  }
  return true;
}

/**
 * The wire format's one building block: a 10-byte ASCII decimal field, used both as
 * a frame's length header (`0000000042` + 42 bytes) and as a bare port reply.
 *
 * Pure encode/decode functions, plus {@linkcode FrameReader}, a thin wrapper over a
 * byte stream's BYOB reader that reads exact lengths. Nothing here knows about
 * sockets or files; see `docs/PROTOCOL.md` for the format itself.
 *
 * @module
 */

import { ProtocolError, TransferError } from "./errors.ts";
import { describeError, printable } from "./text.ts";

/** Length of every header and port field, in bytes. */
export const FIELD_LENGTH = 10;

/** The largest length a 10-digit field can carry. */
export const MAX_PAYLOAD = 9_999_999_999;

const encoder = new TextEncoder();
const ZERO = 0x30;
const SPACE = 0x20;
const MINUS = 0x2d;

/** Encodes `value` as a zero-padded 10-byte field, e.g. `42` as `0000000042`. */
export function encodeField(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_PAYLOAD) {
    throw new RangeError(
      `Cannot encode field ${value}: expected a whole number from 0 to ${MAX_PAYLOAD}`,
    );
  }
  return encoder.encode(String(value).padStart(FIELD_LENGTH, "0"));
}

/** Encodes a whole frame: the length field followed by `payload`. */
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
      `Cannot read field "${showBytes(field)}": expected 10 ASCII digits`,
    );
  }
  return negative ? -value : value;
}

function showBytes(bytes: Uint8Array): string {
  return printable(String.fromCharCode(...bytes));
}

/**
 * Reads exact lengths from a byte stream. One read is never assumed to be one frame:
 * every method loops until it has the bytes it needs or the stream ends.
 */
export class FrameReader {
  #reader: ReadableStreamBYOBReader;
  #chunkSize: number;
  #scratch = new ArrayBuffer(0);
  /** A byte read ahead by {@linkcode waitForData}, delivered first by the next read. */
  #pending: number | undefined;
  /** A {@linkcode waitForData} still under way; every read waits for it first. */
  #waiting: Promise<boolean> | undefined;

  /**
   * @param readable A byte stream, such as `Deno.Conn.readable`; this reader locks it.
   * @param chunkSize Size of the buffer {@linkcode readChunk} reads into. Default 1 MiB.
   */
  constructor(readable: ReadableStream<Uint8Array>, chunkSize = 1 << 20) {
    this.#reader = readable.getReader({ mode: "byob" });
    this.#chunkSize = chunkSize;
  }

  /**
   * Reads exactly `length` bytes. Returns `null` if the stream ended before the first
   * byte; throws {@linkcode TransferError} if it ended part-way.
   */
  async readExact(length: number): Promise<Uint8Array | null> {
    await this.#waiting;
    return await this.#readExact(length);
  }

  async #readExact(length: number): Promise<Uint8Array | null> {
    let view = new Uint8Array(length);
    let filled = 0;
    if (this.#pending !== undefined && length > 0) {
      view[filled++] = this.#pending;
      this.#pending = undefined;
    }
    while (filled < length) {
      const { value, done } = await this.#read(view.subarray(filled), length - filled);
      if (value) {
        filled += value.byteLength;
        view = new Uint8Array(value.buffer as ArrayBuffer, 0, length);
      }
      if (done) break;
    }
    if (filled === length) return view;
    if (filled === 0) return null;
    throw new TransferError(`Connection closed after ${filled} of ${length} bytes`);
  }

  /**
   * Waits until at least one byte has arrived, without consuming it. Returns `false`
   * if the stream ended instead. Lets a caller time the wait for a frame apart from
   * the reading of it.
   */
  waitForData(): Promise<boolean> {
    if (this.#pending !== undefined) return Promise.resolve(true);
    // A failed read counts as the end: the next read meets the same failure itself.
    this.#waiting ??= this.#readExact(1).then((byte) => {
      if (byte !== null) this.#pending = byte[0];
      return byte !== null;
    }, () => false).finally(() => this.#waiting = undefined);
    return this.#waiting;
  }

  /** Reads one field; `null` if the stream ended cleanly before it. */
  async readField(): Promise<Uint8Array | null> {
    return await this.readExact(FIELD_LENGTH);
  }

  /**
   * Reads one whole frame whose length must not exceed `limit`; `null` if the stream
   * ended cleanly before it. The length is checked before anything is allocated.
   */
  async readFrame(limit: number): Promise<Uint8Array | null> {
    const field = await this.readField();
    if (field === null) return null;
    const length = decodeField(field);
    if (length > limit) {
      throw new ProtocolError(`Frame of ${length} bytes exceeds the ${limit}-byte limit`);
    }
    const payload = await this.readExact(length);
    if (payload === null && length > 0) {
      throw new TransferError(`Connection closed after 0 of ${length} bytes`);
    }
    return payload ?? new Uint8Array(0);
  }

  /**
   * Reads between 1 and `max` bytes of a payload into an internal buffer, for
   * streaming. The returned view is valid until the next call. `null` at end of stream.
   */
  async readChunk(max: number): Promise<Uint8Array | null> {
    // Allocated on first use, and no larger than asked: a 4 KiB file costs 4 KiB.
    if (this.#scratch.byteLength === 0) {
      this.#scratch = new ArrayBuffer(Math.max(1, Math.min(max, this.#chunkSize)));
    }
    const size = Math.min(max, this.#scratch.byteLength);
    const chunk = await this.readInto(new Uint8Array(this.#scratch, 0, size));
    if (chunk) this.#scratch = chunk.buffer as ArrayBuffer;
    return chunk;
  }

  /**
   * Reads between 1 and `view.byteLength` bytes into `view`, which it takes over: the
   * bytes come back in a new view of the same memory (use its `.buffer` from then on).
   * `null` at end of stream.
   */
  async readInto(view: Uint8Array): Promise<Uint8Array | null> {
    await this.#waiting;
    if (this.#pending !== undefined) {
      view[0] = this.#pending;
      this.#pending = undefined;
      return view.subarray(0, 1);
    }
    const { value } = await this.#read(view, 1);
    return value && value.byteLength > 0 ? value : null;
  }

  /** Cancels the stream: a pending read ends as if the stream had closed. */
  async cancel(): Promise<void> {
    await this.#reader.cancel();
  }

  /** Releases the lock on the stream, so it can be cancelled or read elsewhere. */
  releaseLock(): void {
    this.#reader.releaseLock();
  }

  async #read(view: Uint8Array, min: number) {
    try {
      return await this.#reader.read(view, { min });
    } catch (error) {
      throw new TransferError(`Connection failed: ${describeError(error)}`, { cause: error });
    }
  }
}

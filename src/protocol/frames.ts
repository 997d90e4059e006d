/**
 * Taking whole fields and frames out of a {@linkcode ReceiveBuffer}. Stateless: a
 * frame stays in the buffer until all of it has arrived, so each call simply looks
 * again. The state machines of this folder are built from these two functions.
 *
 * @module
 */

import { ProtocolError, TransferError } from "../common/errors.ts";
import { decodeField, FIELD_LENGTH } from "./field.ts";
import type { ReceiveBuffer } from "./receive_buffer.ts";

/** The next item has not fully arrived: receive more bytes, then ask again. */
export const NEED_DATA: unique symbol = Symbol("need data");
/** The stream ended cleanly where the next item would have started. */
export const END: unique symbol = Symbol("end");

/** What a take returns when it has no item: wait for bytes, or the stream is over. */
export type NoItem = typeof NEED_DATA | typeof END;

/**
 * Takes one 10-byte field. Throws {@linkcode TransferError} if the stream ended in the
 * middle of it.
 */
export function takeField(buffer: ReceiveBuffer): Uint8Array | NoItem {
  const field = buffer.take(FIELD_LENGTH);
  if (field) return field;
  return noItem(buffer, FIELD_LENGTH);
}

/**
 * Takes one whole frame whose payload may be at most `limit` bytes, checking the
 * length before waiting for (or allocating) the payload. Throws
 * {@linkcode ProtocolError} for a malformed or oversized header and
 * {@linkcode TransferError} if the stream ended inside the frame.
 */
export function takeFrame(buffer: ReceiveBuffer, limit: number): Uint8Array | NoItem {
  const header = buffer.peek(FIELD_LENGTH);
  if (!header) return noItem(buffer, FIELD_LENGTH);
  const length = decodeField(header);
  if (length > limit) {
    throw new ProtocolError(`Frame of ${length} bytes exceeds the ${limit}-byte limit`);
  }
  if (buffer.length < FIELD_LENGTH + length) {
    if (!buffer.ended) return NEED_DATA;
    throw cutShort(buffer.length - FIELD_LENGTH, length);
  }
  buffer.take(FIELD_LENGTH);
  return buffer.take(length)!;
}

/**
 * Takes exactly `n` bytes that must follow what was already taken (the payload of a
 * framed port, say): an end of stream before them all is a cut, even at zero bytes.
 */
export function takeRest(buffer: ReceiveBuffer, n: number): Uint8Array | typeof NEED_DATA {
  const bytes = buffer.take(n);
  if (bytes) return bytes;
  if (!buffer.ended) return NEED_DATA;
  throw cutShort(buffer.length, n);
}

function noItem(buffer: ReceiveBuffer, wanted: number): NoItem {
  if (!buffer.ended) return NEED_DATA;
  if (buffer.length === 0) return END;
  throw cutShort(buffer.length, wanted);
}

/** The error for a stream that ended `received` bytes into an item of `expected`. */
export function cutShort(received: number, expected: number): TransferError {
  return new TransferError(`Connection closed after ${received} of ${expected} bytes`);
}

/**
 * Where a payload's bytes come from and go, for the pump: a file, a data connection
 * (after what its decoder already holds), or bytes in memory (a listing).
 *
 * @module
 */

import { TransferError } from "../common/errors.ts";
import type { PayloadDecoder } from "../protocol/payload_decoder.ts";
import type { Channel } from "./channel.ts";

/** Where a payload's bytes come from. */
export interface ByteSource {
  /**
   * Reads between 1 and `view.byteLength` bytes into `view`, which it may take over:
   * the bytes come back in a view whose `.buffer` the pump uses from then on.
   * `null` at end of stream.
   */
  read(view: Uint8Array): Promise<Uint8Array | null>;
  /** The error for a source that ended after `moved` of `expected` bytes. */
  endedEarly(moved: number, expected: number): Error;
}

/** Where a payload's bytes go. */
export interface ByteSink {
  /** Writes all of `chunk`. */
  write(chunk: Uint8Array): Promise<void>;
}

/** Reads a file (or anything with `read()`), from wherever it is positioned. */
export function fileSource(file: { read(view: Uint8Array): Promise<number | null> }): ByteSource {
  return {
    async read(view) {
      const n = await file.read(view);
      return n === null || n === 0 ? null : view.subarray(0, n);
    },
    endedEarly: (moved, expected) =>
      new TransferError(`The file ended after ${moved} of ${expected} bytes`),
  };
}

/**
 * A payload read waits for this much (or the payload's end) before it returns. A TLS
 * read brings one 16 KiB record and a `node:tls` socket 64 KiB at a time: without
 * this, each would cost a hash update and a file write of its own. A slow but steady
 * sender keeps the stall watchdog quiet if it sends this much per stall timeout, as
 * a reader must take the pump's socket write slice.
 */
const PAYLOAD_READ_MIN = 256 << 10;

/**
 * Reads a payload off a data connection: first what `decoder` already received,
 * then straight from `channel` into the pump's buffers, never past the payload's end.
 */
export function payloadSource(channel: Channel, decoder: PayloadDecoder): ByteSource {
  return {
    async read(view) {
      const buffered = decoder.takeBuffered(view.byteLength);
      if (buffered.byteLength > 0) {
        view.set(buffered);
        return view.subarray(0, buffered.byteLength);
      }
      const wanted = view.subarray(0, decoder.remaining);
      const chunk = await channel.readInto(wanted, { min: PAYLOAD_READ_MIN });
      if (chunk) decoder.skip(chunk.byteLength);
      return chunk;
    },
    endedEarly: (moved, expected) =>
      new TransferError(`Connection closed after ${moved} of ${expected} bytes`),
  };
}

/** Bytes already in memory as a source. */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return chunksSource([bytes]);
}

/** Bytes already in memory, in pieces (a listing), as one source. */
export function chunksSource(chunks: readonly Uint8Array[]): ByteSource {
  let index = 0;
  let offset = 0;
  return fileSource({
    read(view) {
      while (index < chunks.length && offset >= chunks[index].byteLength) {
        [index, offset] = [index + 1, 0];
      }
      if (index >= chunks.length) return Promise.resolve(null);
      const chunk = chunks[index];
      const n = Math.min(view.byteLength, chunk.byteLength - offset);
      view.set(chunk.subarray(offset, offset + n));
      offset += n;
      return Promise.resolve(n);
    },
  });
}

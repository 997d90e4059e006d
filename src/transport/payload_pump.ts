/**
 * The one loop that moves a payload, in either direction: file to socket for a
 * sender, socket to file for a receiver. Reading the next chunk, hashing this one and
 * writing the last one overlap (the file and socket calls run on Deno's I/O threads
 * while this thread hashes), over three rotating buffers.
 *
 * A sender's length field and trailer go out in the same writes as the first and
 * last chunk, so a small file is one write; a receiver gets the bytes its decoder
 * already holds first ({@linkcode payloadSource}), then reads the rest straight into
 * the pump's buffers.
 *
 * @module
 */

import { TransferError } from "../common/errors.ts";
import { type Digest, NO_DIGEST } from "../common/digest.ts";
import { encodeField } from "../protocol/field.ts";
import type { PayloadDecoder } from "../protocol/payload_decoder.ts";
import type { Channel } from "./channel.ts";
import { settled } from "./channel.ts";

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

/** Options for {@linkcode Pump.move}. */
export interface PumpOptions {
  /** Payload bytes to move. */
  length: number;
  /** Hashes the payload as it passes (the caller reads it when done). Default: none. */
  digest?: Digest;
  /** Bytes written before the payload (a length field). Default none. */
  head?: Uint8Array;
  /** Bytes written after it (a trailer); may throw to withhold the payload's end. */
  tail?: () => Uint8Array | Promise<Uint8Array>;
  /** Bytes of this payload moved before (a resumed transfer); progress counts on from it. */
  offset?: number;
  /** Called as payload bytes are written, with the total moved so far. */
  onProgress?: (moved: number) => void;
  /**
   * Writes go out in slices this large, progress reported after each, so a slow but
   * steady reader keeps a stall watchdog quiet. Default: whole chunks.
   */
  writeSlice?: number;
}

/** How many buffers rotate: one filling, one hashing, one draining. */
const PIPELINE_DEPTH = 3;

/** The size of each read: 1 MiB, measured fastest. */
const CHUNK_SIZE = 1 << 20;

/** Up to this size a chunk shares a write with the head or tail; larger, a copy costs more. */
const COALESCE_LIMIT = 64 << 10;

/**
 * The loop, with its buffers: sized on first use (a 4 KiB file costs 4 KiB) and kept
 * for the next payload, so a file sent as many small frames allocates once.
 */
export class Pump {
  #chunkSize: number;
  #slots: ArrayBuffer[] = [];

  constructor(chunkSize = CHUNK_SIZE) {
    this.#chunkSize = chunkSize;
  }

  /**
   * Moves `options.length` bytes from `source` to `sink`. After a failure, reads or
   * writes may still be under way on the buffers, so the next move gets new ones.
   */
  async move(source: ByteSource, sink: ByteSink, options: PumpOptions): Promise<void> {
    try {
      await this.#move(source, sink, options);
    } catch (error) {
      this.#slots = [];
      throw error;
    }
  }

  async #move(source: ByteSource, sink: ByteSink, options: PumpOptions): Promise<void> {
    const { length, digest = NO_DIGEST, offset = 0 } = options;
    const size = this.#reserve(length);
    const slots = this.#slots;
    const readSlot = (index: number, remaining: number) => {
      const slot = index % PIPELINE_DEPTH;
      const view = new Uint8Array(slots[slot], 0, Math.min(size, remaining));
      return settled(
        source.read(view).then((chunk) => {
          if (chunk) slots[slot] = chunk.buffer as ArrayBuffer; // The read may have taken it over.
          return chunk;
        }),
      );
    };
    const progress = options.onProgress;
    let head: Uint8Array = options.head ?? EMPTY;
    let moved = 0;
    let reading = length > 0 ? readSlot(0, length) : undefined;
    let writing: Promise<void> = Promise.resolve();
    for (let index = 0;; index++) {
      let chunk: Uint8Array = EMPTY;
      if (moved < length) {
        const read = await reading!;
        if (read === null) throw source.endedEarly(moved, length);
        chunk = read;
        moved += chunk.byteLength;
        if (moved < length) reading = readSlot(index + 1, length - moved);
        digest.update(chunk);
      }
      const last = moved >= length;
      const tail = last && options.tail ? await options.tail() : EMPTY;
      await writing;
      const before = offset + moved - chunk.byteLength;
      writing = settled(writeChunk(sink, { head, chunk, tail }, options.writeSlice, (payload) => {
        if (payload > 0) progress?.(before + payload);
      }));
      head = EMPTY;
      if (last) break;
    }
    await writing;
  }

  /** Makes sure the buffers hold a chunk for a payload of `length`; returns the chunk size. */
  #reserve(length: number): number {
    const size = Math.max(1, Math.min(this.#chunkSize, length));
    if ((this.#slots[0]?.byteLength ?? 0) < size) {
      this.#slots = Array.from({ length: PIPELINE_DEPTH }, () => new ArrayBuffer(size));
    }
    return size;
  }
}

const EMPTY = new Uint8Array(0);

/** A chunk and what goes out with it: the length field before it, the trailer after. */
interface Piece {
  head: Uint8Array;
  chunk: Uint8Array;
  tail: Uint8Array;
}

/**
 * Writes a piece, sharing one write among head, chunk and tail where the chunk is
 * small; reports how many of the chunk's bytes are out after each write.
 */
async function writeChunk(
  sink: ByteSink,
  { head, chunk, tail }: Piece,
  slice: number | undefined,
  onPayload: (written: number) => void,
): Promise<void> {
  if (chunk.byteLength <= COALESCE_LIMIT) {
    await writeSliced(
      sink,
      join(head, chunk, tail),
      slice,
      (end) => onPayload(Math.min(Math.max(end - head.byteLength, 0), chunk.byteLength)),
    );
    return;
  }
  if (head.byteLength > 0) await sink.write(head);
  await writeSliced(sink, chunk, slice, onPayload);
  if (tail.byteLength > 0) await sink.write(tail);
}

async function writeSliced(
  sink: ByteSink,
  bytes: Uint8Array,
  slice = bytes.byteLength,
  onWritten: (end: number) => void,
): Promise<void> {
  for (let offset = 0; offset < bytes.byteLength; offset += slice) {
    const piece = bytes.subarray(offset, offset + slice);
    await sink.write(piece);
    onWritten(offset + piece.byteLength);
  }
}

function join(head: Uint8Array, chunk: Uint8Array, tail: Uint8Array): Uint8Array {
  if (head.byteLength === 0 && tail.byteLength === 0) return chunk;
  const bytes = new Uint8Array(head.byteLength + chunk.byteLength + tail.byteLength);
  bytes.set(head);
  bytes.set(chunk, head.byteLength);
  bytes.set(tail, head.byteLength + chunk.byteLength);
  return bytes;
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
 * a reader must take {@linkcode SOCKET_WRITE_SLICE}.
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

/** Bytes already in memory (a listing) as a source. */
export function bytesSource(bytes: Uint8Array): ByteSource {
  let offset = 0;
  return fileSource({
    read(view) {
      if (offset >= bytes.byteLength) return Promise.resolve(null);
      const n = Math.min(view.byteLength, bytes.byteLength - offset);
      view.set(bytes.subarray(offset, offset + n));
      offset += n;
      return Promise.resolve(n);
    },
  });
}

/** Options for {@linkcode sendPayload} and {@linkcode receivePayload}. */
export type PayloadOptions = Pick<PumpOptions, "digest" | "tail" | "onProgress" | "offset"> & {
  /** The pump (and buffers) to use; a fresh one by default. */
  pump?: Pump;
};

/**
 * Chunks go to a socket in slices this large, with progress after each, so a slow but
 * steady reader keeps the stall watchdog quiet: it needs to take 256 KiB per stall
 * timeout, not a whole chunk.
 */
const SOCKET_WRITE_SLICE = 256 << 10;

/**
 * Sends one payload frame on `channel`: its length field, `length` bytes from
 * `source`, then `options.tail` (a trailer) if given.
 */
export function sendPayload(
  channel: Channel,
  source: ByteSource,
  length: number,
  { pump = new Pump(), ...options }: PayloadOptions = {},
): Promise<void> {
  return pump.move(source, channel, {
    ...options,
    length,
    head: encodeField(length),
    writeSlice: SOCKET_WRITE_SLICE,
  });
}

/** Receives the payload frame `decoder` just announced (`length` bytes) into `sink`. */
export function receivePayload(
  channel: Channel,
  decoder: PayloadDecoder,
  sink: ByteSink,
  length: number,
  { pump = new Pump(), ...options }: PayloadOptions = {},
): Promise<void> {
  return pump.move(payloadSource(channel, decoder), sink, { ...options, length });
}

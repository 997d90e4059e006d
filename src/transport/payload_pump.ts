/**
 * The one loop that moves a payload, in either direction: file to socket for a
 * sender, socket to file for a receiver. Reading the next chunk, hashing this one and
 * writing the last one overlap (the file and socket calls run on Deno's I/O threads
 * while this thread hashes), over three rotating buffers.
 *
 * A sender's length field and trailer go out in the same writes as the first and
 * last chunk, so a small file is one write; a receiver gets the bytes its decoder
 * already holds first ({@linkcode payloadSource}), then reads the rest straight into
 * the pump's buffers. A sender can check each chunk before it goes out (has the file
 * changed?): a failed check stops the move before that chunk is written, so the last
 * chunk waits for the last check, and a receiver that was told nothing more sees a
 * short payload. In a framed payload (PROTOCOL.md §16) every chunk is a data frame
 * of its own, and {@linkcode sendPayload} ends a stopped one with an `error` frame.
 *
 * @module
 */

import { type Digest, NO_DIGEST } from "../common/digest.ts";
import { encodeField, encodeFrame } from "../protocol/field.ts";
import { formatAnnouncement } from "../protocol/announcements.ts";
import { MAX_DATA_FRAME, type PayloadDecoder } from "../protocol/payload_decoder.ts";
import { formatEnd } from "../protocol/trailers.ts";
import { type ByteSink, type ByteSource, payloadSource } from "./byte_sources.ts";
import type { Channel } from "./channel.ts";
import { settled } from "./channel.ts";

export type { ByteSink, ByteSource } from "./byte_sources.ts";
export { bytesSource, chunksSource, fileSource, payloadSource } from "./byte_sources.ts";

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
  /**
   * Called after each chunk is read (and once for an empty payload), with the bytes
   * read so far, before that chunk is written; throws to stop the move there. The
   * call after the last read is the last word: the last chunk waits for it.
   */
  check?: (moved: number) => void | Promise<void>;
  /** Writes each chunk as a frame of its own, with its length field before it. Default off. */
  frameChunks?: boolean;
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

/** The size of each read: 1 MiB, measured fastest, and a framed payload's largest data frame. */
const CHUNK_SIZE = MAX_DATA_FRAME;

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
    const { length, digest = NO_DIGEST, offset = 0, check } = options;
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
    try {
      for (let index = 0;; index++) {
        let chunk: Uint8Array = EMPTY;
        if (moved < length) {
          const read = await reading!;
          if (read === null) {
            await check?.(moved); // A file that shrank has changed: say that, if it can.
            throw source.endedEarly(moved, length);
          }
          chunk = read;
          moved += chunk.byteLength;
          if (moved < length) reading = readSlot(index + 1, length - moved);
        }
        await check?.(moved);
        digest.update(chunk);
        const last = moved >= length;
        const tail = last && options.tail ? await options.tail() : EMPTY;
        await writing;
        const before = offset + moved - chunk.byteLength;
        const frameHead = options.frameChunks && chunk.byteLength > 0
          ? join(head, encodeField(chunk.byteLength), EMPTY)
          : head;
        writing = settled(
          writeChunk(sink, { head: frameHead, chunk, tail }, options.writeSlice, (payload) => {
            if (payload > 0) progress?.(before + payload);
          }),
        );
        head = EMPTY;
        if (last) break;
      }
      await writing;
    } catch (error) {
      // Whatever was being written is out (or failed) before the caller hears of this,
      // so it may write what comes next (an `error` frame) without the two mixing.
      await writing.catch(() => {});
      throw error;
    }
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

/** Options for {@linkcode sendPayload} and {@linkcode receivePayload}. */
export type PayloadOptions =
  & Pick<PumpOptions, "digest" | "tail" | "check" | "onProgress" | "offset">
  & {
    /** The pump (and buffers) to use; a fresh one by default. */
    pump?: Pump;
  };

/** Options for {@linkcode sendPayload}. */
export type SendOptions = PayloadOptions & {
  /**
   * Send a framed payload (PROTOCOL.md §16): the announcement, data frames, the empty
   * frame, then the end frame, which `tail` must give (`sha256 <hex>`). With
   * `offset` (a resumed transfer), the announcement says the file is `offset + length`
   * bytes, sent from `offset` on, and the end frame is the digest of all of it. A move that
   * fails ends with the empty frame and `error <words(error)>` instead, if the
   * connection still takes it. Default: one frame, as the base protocol has it.
   */
  framed?: {
    words: (error: unknown) => string;
    /** The file's version, for the announcement of a resumed transfer (§19). */
    version?: string;
  };
};

/**
 * Chunks go to a socket in slices this large, with progress after each, so a slow but
 * steady reader keeps the stall watchdog quiet: it needs to take 256 KiB per stall
 * timeout, not a whole chunk.
 */
const SOCKET_WRITE_SLICE = 256 << 10;

/** The empty frame that ends a framed payload's data. */
const END_OF_DATA = encodeField(0);

/**
 * Sends one payload on `channel`: its length field, `length` bytes from `source`, then
 * `options.tail` (a trailer) if given; or, with `options.framed`, the same bytes as a
 * framed payload.
 */
export async function sendPayload(
  channel: Channel,
  source: ByteSource,
  length: number,
  { pump = new Pump(), framed, ...options }: SendOptions = {},
): Promise<void> {
  if (!framed) {
    return await pump.move(source, channel, {
      ...options,
      length,
      head: encodeField(length),
      writeSlice: SOCKET_WRITE_SLICE,
    });
  }
  const tail = options.tail;
  if (!tail) throw new TypeError("Cannot send a framed payload without its end frame");
  try {
    await pump.move(source, channel, {
      ...options,
      length,
      head: encodeFrame(
        formatAnnouncement((options.offset ?? 0) + length, {
          from: options.offset,
          version: framed.version,
        }),
      ),
      frameChunks: true,
      tail: async () => join(END_OF_DATA, await tail(), EMPTY),
      writeSlice: SOCKET_WRITE_SLICE,
    });
  } catch (error) {
    const end = formatEnd({ ok: false, message: framed.words(error) });
    await channel.write(join(END_OF_DATA, encodeFrame(end), EMPTY)).catch(() => {});
    throw error;
  }
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

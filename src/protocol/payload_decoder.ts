/**
 * A data connection's incoming bytes as events, with no I/O: the length field that
 * starts each payload frame, and the small frame that vouches for the payload (a
 * `get` trailer, a `put` status). The payload itself bypasses the decoder: it
 * announces "expect N bytes", hands over any of them it already holds
 * ({@linkcode PayloadDecoder.takeBuffered}), and the pump reads the rest straight into
 * its own buffers, reporting them with {@linkcode PayloadDecoder.skip}. So a 10 GB
 * file is never copied through here.
 *
 * Base-protocol peers may send a file as several frames (the course handout's sample
 * code sends one per 64 KiB), ended by the end of the stream or by an empty frame;
 * the shapes below say where that is allowed (PROTOCOL.md §4.3). In a session that
 * agreed `frames`, a file is a framed payload instead: a size announcement, data
 * frames, an empty frame and an end frame, which lets the sender stop early and say
 * why (PROTOCOL.md §16).
 *
 * @module
 */

import { ProtocolError } from "../common/errors.ts";
import { quote } from "../common/text.ts";
import { decodeField, FIELD_LENGTH } from "./field.ts";
import { cutShort, END, NEED_DATA, takeField, takeFrame } from "./frames.ts";
import { ReceiveBuffer } from "./receive_buffer.ts";
import { MAX_MESSAGE_BYTES } from "./replies.ts";
import { BASE_DIGEST, type DigestName } from "../common/digest.ts";
import { isTrailer, trailerLength } from "./trailers.ts";
import { parseAnnouncement } from "./announcements.ts";

/** What a data connection delivers next. */
export type PayloadEvent =
  /** Receive more bytes. */
  | { type: "need-data" }
  /**
   * A framed payload's announcement: the file is `total` bytes, and its bytes from
   * `from` on (all of them but a resumed transfer's) are coming, in data frames.
   * `version` names the file's version, where the sender gave one (§19).
   */
  | { type: "size"; total: number; from: number; version?: string }
  /** The next `length` bytes are payload (one frame of it): move them, then ask again. */
  | { type: "payload"; length: number }
  /** The frame that vouches for the payload (a trailer or status), as text. */
  | { type: "frame"; text: string }
  /** The stream ended (or the shape is complete) where the next item would start. */
  | { type: "end" };

/**
 * What a data connection may carry:
 * - `listing`: one payload frame (`ls`);
 * - `download`: payload frames, then a trailer or the end (`get`): a frame that is a
 *   trailer ends the payload, any other frame is more of it, an empty one ends it;
 * - `upload`: payload frames until the end or an empty frame (`put`, on the server);
 * - `status`: one small frame or the end (`put`, on the client);
 * - `framed`: a framed payload, either way, in a session that agreed `frames`: the
 *   announcement (a `size` event), data frames, an empty frame, then the end frame
 *   (`sha256 …` or `error …`, as a `frame` event). Every part must come: an end of
 *   the stream anywhere before the end frame is a cut.
 */
export type PayloadShape = "listing" | "download" | "upload" | "status" | "framed";

type Phase = "first" | "more" | "payload" | "after" | "done" | "announce" | "data";

/** The largest file a framed payload carries: 2^53 − 1 bytes (PROTOCOL.md §16). */
export const MAX_FRAMED_SIZE = Number.MAX_SAFE_INTEGER;

/** The most a framed payload's data frame may hold: 1 MiB (PROTOCOL.md §16). */
export const MAX_DATA_FRAME = 1 << 20;

/**
 * The longest announcement a receiver reads: `size ` and 16 digits, and a resumed one's
 * ` from ` and 16 more and ` version ` and 64 characters (116 in all), with room to spare.
 */
export const MAX_ANNOUNCEMENT_BYTES = 128;

// Lenient: a malformed trailer fails its own parser.
const lenientUtf8 = new TextDecoder();

/** Decodes one data connection's bytes; see the module doc. */
export class PayloadDecoder {
  #buffer = new ReceiveBuffer();
  #shape: PayloadShape;
  #phase: Phase;
  /** The session's digest: what a `get` trailer names (`sha256 ` and 64 hex digits, by default). */
  #digest: DigestName;
  #remaining = 0;

  /** A framed payload's announced size, and the data bytes announced by its frames so far. */
  #total = 0;
  #announced = 0;

  /** Whether an announcement may say where a resumed payload starts (`resume`, §19). */
  #resumable: boolean;
  #from = 0;

  /**
   * `options.resumable`: the session agreed `resume`, so `size N from K` may come.
   * `options.digest`: the session's (PROTOCOL.md §17), which says how long a trailer is.
   */
  constructor(
    shape: PayloadShape,
    { resumable = false, digest = BASE_DIGEST }: { resumable?: boolean; digest?: DigestName } = {},
  ) {
    this.#shape = shape;
    this.#resumable = resumable;
    this.#digest = digest;
    this.#phase = shape === "status" ? "after" : shape === "framed" ? "announce" : "first";
  }

  /** Payload bytes of the current frame still to come. */
  get remaining(): number {
    return this.#remaining;
  }

  /** Received bytes the caller has not taken yet. */
  get buffered(): number {
    return this.#buffer.length;
  }

  /** Stores bytes from the peer. */
  receive(bytes: Uint8Array): void {
    this.#buffer.receive(bytes);
  }

  /** Records that the peer closed its side. */
  receiveEnd(): void {
    this.#buffer.receiveEnd();
  }

  /** The next event; not while payload bytes are still owed (move them first). */
  next(): PayloadEvent {
    switch (this.#phase) {
      case "first":
        return this.#firstFrame();
      case "more":
        return this.#nextFrame();
      case "payload":
        throw new TypeError(`Cannot decode past a payload: ${this.#remaining} bytes are owed`);
      case "after":
        return this.#shape === "framed" ? this.#endFrame() : this.#vouchingFrame();
      case "done":
        return { type: "end" };
      case "announce":
        return this.#announcement();
      case "data":
        return this.#dataFrame();
    }
  }

  /** Removes and returns the payload bytes already received, at most `max`. */
  takeBuffered(max: number): Uint8Array {
    const bytes = this.#buffer.takeUpTo(Math.min(max, this.#remaining));
    this.#consume(bytes.byteLength);
    return bytes;
  }

  /** Counts `n` payload bytes the caller read from the connection itself. */
  skip(n: number): void {
    if (n > this.#remaining) {
      throw new RangeError(`Cannot skip ${n} bytes: only ${this.#remaining} are owed`);
    }
    this.#consume(n);
  }

  /** The frame that starts the payload; an end here means nothing was sent. */
  #firstFrame(): PayloadEvent {
    const field = takeField(this.#buffer);
    if (field === NEED_DATA) return { type: "need-data" };
    if (field === END) return this.#finish();
    const length = decodeField(field);
    // An empty first frame is an empty file: nothing more of it follows.
    const next = this.#shape === "listing" || (length === 0 && this.#shape === "upload")
      ? "done"
      : length === 0
      ? "after"
      : "more";
    return this.#startPayload(length, next);
  }

  /** After a payload frame: more of the payload, its end, or the frame vouching for it. */
  #nextFrame(): PayloadEvent {
    const header = this.#buffer.peek(FIELD_LENGTH);
    if (!header) {
      const end = takeField(this.#buffer); // An end here, or a cut field (which throws).
      if (end === NEED_DATA) return { type: "need-data" };
      return this.#finish();
    }
    const length = decodeField(header);
    if (length === 0) {
      this.#buffer.take(FIELD_LENGTH);
      this.#phase = "after";
      return this.#shape === "upload" ? this.#finish() : this.#vouchingFrame();
    }
    if (this.#shape === "download" && length === trailerLength(this.#digest)) {
      // A trailer, or a piece of the file that long (71 bytes for sha256): only its
      // text tells them apart.
      const frame = this.#buffer.peek(FIELD_LENGTH + length);
      if (!frame && !this.#buffer.ended) return { type: "need-data" };
      const text = frame && lenientUtf8.decode(frame.subarray(FIELD_LENGTH));
      if (text && isTrailer(text, this.#digest)) {
        return this.#vouchingFrame();
      }
    }
    this.#buffer.take(FIELD_LENGTH);
    return this.#startPayload(length, "more");
  }

  /** A trailer or status frame, or the end where one would start. */
  #vouchingFrame(): PayloadEvent {
    this.#phase = "after";
    if (this.#shape === "listing" || this.#shape === "upload") return this.#finish();
    const frame = takeFrame(this.#buffer, MAX_MESSAGE_BYTES);
    if (frame === NEED_DATA) return { type: "need-data" };
    if (frame === END) return this.#finish();
    this.#phase = "done";
    return { type: "frame", text: lenientUtf8.decode(frame) };
  }

  /** A framed payload's first frame, `size <N>`; an end before it means nothing was sent. */
  #announcement(): PayloadEvent {
    const frame = takeFrame(this.#buffer, MAX_ANNOUNCEMENT_BYTES);
    if (frame === NEED_DATA) return { type: "need-data" };
    if (frame === END) return this.#finish();
    const text = lenientUtf8.decode(frame);
    const announced = parseAnnouncement(text);
    if (announced === undefined || (!this.#resumable && text !== `size ${announced.total}`)) {
      throw new ProtocolError(
        `Cannot read payload announcement ${quote(text, 80)}: expected "size <bytes>"`,
      );
    }
    this.#total = announced.total;
    this.#from = announced.from;
    this.#phase = "data";
    return { type: "size", ...announced };
  }

  /** A data frame of a framed payload, or the empty frame that ends the data. */
  #dataFrame(): PayloadEvent {
    const header = this.#buffer.peek(FIELD_LENGTH);
    if (!header) return this.#mustContinue(FIELD_LENGTH);
    const length = decodeField(header);
    this.#buffer.take(FIELD_LENGTH);
    if (length === 0) {
      this.#phase = "after";
      return this.#endFrame();
    }
    if (length > MAX_DATA_FRAME) {
      throw new ProtocolError(
        `Data frame of ${length} bytes exceeds the ${MAX_DATA_FRAME}-byte limit`,
      );
    }
    if (this.#announced + length > this.#total - this.#from) {
      throw new ProtocolError(
        `Data frames of ${this.#announced + length} bytes exceed the ${
          this.#total - this.#from
        } announced`,
      );
    }
    this.#announced += length;
    return this.#startPayload(length, "data");
  }

  /** The end frame of a framed payload: it must come, and its digest only after all the data. */
  #endFrame(): PayloadEvent {
    const frame = takeFrame(this.#buffer, MAX_MESSAGE_BYTES);
    if (frame === NEED_DATA) return { type: "need-data" };
    if (frame === END) throw cutShort(0, FIELD_LENGTH);
    const text = lenientUtf8.decode(frame);
    const failed = text === "error" || text.startsWith("error ");
    if (!failed && this.#announced < this.#total - this.#from) {
      throw new ProtocolError(
        `Payload ended after ${this.#announced} of ${
          this.#total - this.#from
        } bytes without an error`,
      );
    }
    this.#phase = "done";
    return { type: "frame", text };
  }

  /** Need data, unless the stream has ended: then the framed payload was cut. */
  #mustContinue(wanted: number): PayloadEvent {
    if (!this.#buffer.ended) return { type: "need-data" };
    throw cutShort(this.#buffer.length, wanted);
  }

  #startPayload(length: number, then: "more" | "after" | "done" | "data"): PayloadEvent {
    this.#remaining = length;
    this.#after = then;
    this.#phase = length > 0 ? "payload" : then;
    return { type: "payload", length };
  }

  /** Where decoding goes once the current payload frame is in. */
  #after: "more" | "after" | "done" | "data" = "more";

  #consume(n: number): void {
    this.#remaining -= n;
    if (this.#remaining === 0 && this.#phase === "payload") this.#phase = this.#after;
  }

  #finish(): PayloadEvent {
    this.#phase = "done";
    return { type: "end" };
  }
}

/**
 * A data connection's incoming bytes as events, with no I/O: the length field that
 * starts a payload, then (for a `get`) the trailer frame, or (for a `put` status) one
 * frame alone. The payload itself bypasses the decoder: it announces "expect N
 * bytes", hands over any of them it already holds ({@linkcode takeBuffered}), and the
 * pump reads the rest straight into its own buffers, reporting them with
 * {@linkcode skip}. So a 10 GB file is never copied through here.
 *
 * @module
 */

import { decodeField } from "./field.ts";
import { END, NEED_DATA, takeField, takeFrame } from "./frames.ts";
import { ReceiveBuffer } from "./receive_buffer.ts";
import { MAX_MESSAGE_BYTES } from "./replies.ts";

/** What a data connection delivers next. */
export type PayloadEvent =
  /** Receive more bytes. */
  | { type: "need-data" }
  /** The next `length` bytes are the payload: move them, then ask again. */
  | { type: "payload"; length: number }
  /** The frame that vouches for the payload (a trailer or status), as text. */
  | { type: "frame"; text: string }
  /** The stream ended (or the shape is complete) where the next item would start. */
  | { type: "end" };

/** The shape of what a data connection carries. */
export interface PayloadShape {
  /** Whether a payload frame comes first (`ls`, `get`, `put`); `false` for a `put` status. */
  payload: boolean;
  /** Whether one small frame may follow: a `get` trailer, a `put` status. */
  frameAfter: boolean;
}

type Phase = "header" | "payload" | "after" | "done";

// Lenient: a malformed trailer fails its own parser.
const lenientUtf8 = new TextDecoder();

/** Decodes one data connection's bytes; see the module doc. */
export class PayloadDecoder {
  #buffer = new ReceiveBuffer();
  #shape: PayloadShape;
  #phase: Phase;
  #remaining = 0;

  constructor(shape: PayloadShape) {
    this.#shape = shape;
    this.#phase = shape.payload ? "header" : "after";
  }

  /** Payload bytes still to come. */
  get remaining(): number {
    return this.#remaining;
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
      case "header": {
        const field = takeField(this.#buffer);
        if (field === NEED_DATA) return { type: "need-data" };
        if (field === END) return this.#finish();
        this.#remaining = decodeField(field);
        this.#phase = this.#remaining > 0 ? "payload" : "after";
        return { type: "payload", length: this.#remaining };
      }
      case "payload":
        throw new TypeError(`Cannot decode past a payload: ${this.#remaining} bytes are owed`);
      case "after": {
        if (!this.#shape.frameAfter) return this.#finish();
        const frame = takeFrame(this.#buffer, MAX_MESSAGE_BYTES);
        if (frame === NEED_DATA) return { type: "need-data" };
        if (frame === END) return this.#finish();
        this.#phase = "done";
        return { type: "frame", text: lenientUtf8.decode(frame) };
      }
      case "done":
        return { type: "end" };
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

  /** Whether received bytes are waiting that the caller has not taken. */
  get buffered(): number {
    return this.#buffer.length;
  }

  #consume(n: number): void {
    this.#remaining -= n;
    if (this.#remaining === 0 && this.#phase === "payload") this.#phase = "after";
  }

  #finish(): PayloadEvent {
    this.#phase = "done";
    return { type: "end" };
  }
}

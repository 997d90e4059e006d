/**
 * The bytes a connection has received and no state machine has consumed yet. Every
 * decoder in `src/protocol/` keeps one: `receive()` only stores (in the manner of
 * h11's `receive_data`), and the `take*` methods hand out exact lengths or nothing,
 * so a frame split across reads, or several frames in one read, decode the same.
 *
 * @module
 */

/** A growable queue of received bytes, plus whether the peer has ended the stream. */
export class ReceiveBuffer {
  #bytes = new Uint8Array(0);
  #start = 0;
  #end = 0;
  #ended = false;

  /** Stores a copy of `chunk`; the caller may reuse its memory at once. */
  receive(chunk: Uint8Array): void {
    if (this.#ended) throw new TypeError("Cannot receive bytes after the end of the stream");
    if (chunk.byteLength === 0) return;
    if (this.#end + chunk.byteLength > this.#bytes.byteLength) this.#makeRoom(chunk.byteLength);
    this.#bytes.set(chunk, this.#end);
    this.#end += chunk.byteLength;
  }

  /** Records that the peer ended the stream: nothing more will be received. */
  receiveEnd(): void {
    this.#ended = true;
  }

  /** Whether the peer has ended the stream. */
  get ended(): boolean {
    return this.#ended;
  }

  /** How many bytes are stored. */
  get length(): number {
    return this.#end - this.#start;
  }

  /** Returns the first `n` bytes without removing them (a view valid until the next call). */
  peek(n: number): Uint8Array | undefined {
    if (this.length < n) return undefined;
    return this.#bytes.subarray(this.#start, this.#start + n);
  }

  /** Removes and returns exactly `n` bytes (a copy), or `undefined` if fewer are stored. */
  take(n: number): Uint8Array | undefined {
    if (this.length < n) return undefined;
    const bytes = this.#bytes.slice(this.#start, this.#start + n);
    this.#start += n;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    return bytes;
  }

  /** Removes and returns up to `max` bytes (a copy; empty if none are stored). */
  takeUpTo(max: number): Uint8Array {
    return this.take(Math.min(max, this.length))!;
  }

  #makeRoom(more: number): void {
    const needed = this.length + more;
    const size = Math.max(needed, this.#bytes.byteLength * 2, 256);
    const grown = needed <= this.#bytes.byteLength ? this.#bytes : new Uint8Array(size);
    grown.set(this.#bytes.subarray(this.#start, this.#end));
    this.#bytes = grown;
    this.#end = this.length;
    this.#start = 0;
  }
}

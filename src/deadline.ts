/**
 * Timers that end stuck I/O. A deadline closes (or cancels) a resource when it fires,
 * which makes the pending read or write fail; the caller then reports the timeout
 * instead of that failure. `Infinity` (or anything past {@linkcode MAX_TIMER_MS})
 * turns a deadline off.
 *
 * @module
 */

import { TransferError } from "./errors.ts";

/**
 * The longest delay `setTimeout` honours (about 24.8 days); a longer one would fire at
 * once, so a deadline past it counts as no deadline at all.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

function unbounded(ms: number): boolean {
  return !Number.isFinite(ms) || ms > MAX_TIMER_MS;
}

/**
 * Runs `work`; if it has not settled within `ms`, calls `expire` (which must make the
 * work fail, e.g. by closing its connection) and throws {@linkcode TransferError}
 * with `message` instead of the error that caused.
 */
export async function withDeadline<T>(
  ms: number,
  expire: () => void,
  message: string,
  work: () => Promise<T>,
): Promise<T> {
  if (unbounded(ms)) return await work();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    expire();
  }, ms);
  try {
    const result = await work();
    // Cancelling a read can make it end quietly, as if the peer had closed.
    if (expired) throw new TransferError(message);
    return result;
  } catch (error) {
    if (expired && !(error instanceof TransferError && error.message === message)) {
      throw new TransferError(message, { cause: error });
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A deadline that moves: it fires only after `ms` without a {@linkcode kick}. Used
 * for "no progress for N seconds" on transfers, however long they take in all.
 */
export class Watchdog implements Disposable {
  #ms: number;
  #expire: () => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #expired = false;

  constructor(ms: number, expire: () => void) {
    this.#ms = ms;
    this.#expire = expire;
    this.kick();
  }

  /** Whether it fired. */
  get expired(): boolean {
    return this.#expired;
  }

  /** Records progress: the countdown starts again. */
  kick(): void {
    if (unbounded(this.#ms) || this.#expired) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#expired = true;
      this.#expire();
    }, this.#ms);
  }

  /** Stops watching, e.g. while the work is local and the peer has nothing to do. */
  stop(): void {
    clearTimeout(this.#timer);
  }

  [Symbol.dispose](): void {
    this.stop();
  }
}

/** `1500` ms as `1.5 s`, for messages. */
export function seconds(ms: number): string {
  return `${ms / 1000} s`;
}

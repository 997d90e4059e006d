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
  #lastKick = performance.now();
  #expired = false;
  #stopped = false;

  constructor(ms: number, expire: () => void) {
    this.#ms = ms;
    this.#expire = expire;
    if (!unbounded(ms)) this.#arm(ms);
  }

  /** Whether it fired. */
  get expired(): boolean {
    return this.#expired;
  }

  /**
   * Records progress: the countdown starts again. Called for every chunk of a
   * transfer, so it only notes the time; the one timer checks it when it fires.
   */
  kick(): void {
    this.#lastKick = performance.now();
  }

  /** Stops watching, e.g. while the work is local and the peer has nothing to do. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  [Symbol.dispose](): void {
    this.stop();
  }

  #arm(delay: number): void {
    this.#timer = setTimeout(() => {
      if (this.#stopped) return;
      const quiet = performance.now() - this.#lastKick;
      if (quiet < this.#ms) return this.#arm(this.#ms - quiet);
      this.#expired = true;
      this.#expire();
    }, delay);
  }
}

/** `1500` ms as `1.5 s`, for messages. */
export function seconds(ms: number): string {
  return `${ms / 1000} s`;
}

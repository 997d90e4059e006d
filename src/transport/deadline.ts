/**
 * Timers that end stuck I/O. When one fires it calls `expire`, which must make the
 * pending read or write fail (by closing its connection, say); the guarded work then
 * throws the caller's own error ("stalled", "idle", "no answer") instead of whatever
 * that failure was. `Infinity` (or anything past {@linkcode MAX_TIMER_MS}) turns a
 * timer off.
 *
 * @module
 */

/**
 * The longest delay `setTimeout` honours (about 24.8 days); a longer one would fire at
 * once, so a deadline past it counts as no deadline at all.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

function unbounded(ms: number): boolean {
  return !Number.isFinite(ms) || ms > MAX_TIMER_MS;
}

/**
 * A deadline that moves: it fires only after `ms` without a {@linkcode kick}. A
 * deadline that is never kicked is a plain deadline (see {@linkcode withDeadline}).
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

  /**
   * Runs `work` under this watchdog, then stops it. If the watchdog fired, the result
   * is `timeout()` thrown (with the failure it caused as its cause), whether the work
   * failed or ended quietly (a cancelled read can look like a clean end).
   */
  async guard<T>(work: () => Promise<T>, timeout: () => Error): Promise<T> {
    let result: T;
    try {
      result = await work();
    } catch (error) {
      if (this.#expired) throw withCause(timeout(), error);
      throw error;
    } finally {
      this.stop();
    }
    if (this.#expired) throw timeout();
    return result;
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

/**
 * Runs `work`; if it has not settled within `ms`, calls `expire` (which must make the
 * work fail) and throws `timeout()` instead.
 */
export function withDeadline<T>(
  ms: number,
  expire: () => void,
  timeout: () => Error,
  work: () => Promise<T>,
): Promise<T> {
  return new Watchdog(ms, expire).guard(work, timeout);
}

function withCause(error: Error, cause: unknown): Error {
  if (error.cause === undefined) error.cause = cause;
  return error;
}

/** `1500` ms as `1.5 s`, for messages. */
export function seconds(ms: number): string {
  return `${ms / 1000} s`;
}

/** Waits `ms`, or less if `signal` aborts first. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done);
  });
}

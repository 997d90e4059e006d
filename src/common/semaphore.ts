/**
 * A counting semaphore, first come first served: at most so many holders at once,
 * the rest waiting in order. Bounds work whose cost is memory (many listings of a
 * large folder at once) without turning anyone away.
 *
 * @module
 */

/** A held place; disposing it lets the next waiter in. */
export type Permit = Disposable;

/** At most `limit` permits out at once. */
export class Semaphore {
  #free: number;
  #waiting: (() => void)[] = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(
        `Cannot make a semaphore of ${limit}: expected a whole number of at least 1`,
      );
    }
    this.#free = limit;
  }

  /** Waits for a permit, in order of asking. */
  async acquire(): Promise<Permit> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    let held = true;
    return {
      [Symbol.dispose]: () => {
        if (!held) return;
        held = false;
        const next = this.#waiting.shift();
        if (next) next(); // The permit passes straight on.
        else this.#free++;
      },
    };
  }
}

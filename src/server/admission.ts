/**
 * Who gets a session: at most so many at once, and so many from one address. A
 * connection over a cap is told why in one sentence and closed.
 *
 * @module
 */

import type { Limits } from "./limits.ts";

/** Counts the sessions open, in all and per address. */
export class Admission {
  #limits: Pick<Limits, "maxSessions" | "maxSessionsPerPeer">;
  #open = 0;
  #perPeer = new Map<string, number>();

  constructor(limits: Pick<Limits, "maxSessions" | "maxSessionsPerPeer">) {
    this.#limits = limits;
  }

  /** Admits a session from `peer`, or returns why not; release it when it ends. */
  admit(peer: string): string | undefined {
    const fromPeer = this.#perPeer.get(peer) ?? 0;
    if (this.#open >= this.#limits.maxSessions) {
      return `The server is full (at most ${this.#limits.maxSessions} at once): try again later`;
    }
    if (fromPeer >= this.#limits.maxSessionsPerPeer) {
      return `Too many sessions from ${peer} (limit ${this.#limits.maxSessionsPerPeer}): close one first`;
    }
    this.#open++;
    this.#perPeer.set(peer, fromPeer + 1);
    return undefined;
  }

  /** Ends a session admitted for `peer`. */
  release(peer: string): void {
    this.#open--;
    const left = (this.#perPeer.get(peer) ?? 1) - 1;
    if (left === 0) this.#perPeer.delete(peer);
    else this.#perPeer.set(peer, left);
  }
}

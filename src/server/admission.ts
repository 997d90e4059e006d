/**
 * Who gets a session: at most so many at once, and so many from one address. A
 * connection over a cap is told why in one sentence and closed; but when the server
 * is full, the session idle longest (no command under way) gives way to the newcomer,
 * so idle connections cannot lock everyone out. A session in the middle of a command
 * never does.
 *
 * @module
 */

import type { Limits } from "./limits.ts";

/** What an idle session that gives way is told, before it is closed. */
export const EVICTED =
  "The server is full, and this session was idle the longest: it was closed to make room";

/** A session's place, as the session sees it. */
export interface SessionSlot {
  /** Marks the session as waiting for a command: it may be asked to give way. */
  idle(): void;
  /** Marks it as carrying out a command: it is never asked to give way. */
  busy(): void;
  /** What to do when asked to stop (to give way, or at shutdown); called at most once. */
  onStop(stop: (reason: string) => void): void;
  /** Ends the session's claim; the place is free again. Safe to call twice. */
  release(): void;
}

/** Counts the sessions open, in all and per address, and picks who gives way. */
export class Admission {
  #limits: Pick<Limits, "maxSessions" | "maxSessionsPerPeer">;
  #slots = new Set<Slot>();
  #perPeer = new Map<string, number>();

  constructor(limits: Pick<Limits, "maxSessions" | "maxSessionsPerPeer">) {
    this.#limits = limits;
  }

  /** How many sessions hold a place. */
  get size(): number {
    return this.#slots.size;
  }

  /**
   * Admits a session from `peer` (making an idle one give way if the server is full),
   * or returns why not; release the slot when the session ends.
   */
  admit(peer: string): SessionSlot | string {
    const fromPeer = this.#perPeer.get(peer) ?? 0;
    if (fromPeer >= this.#limits.maxSessionsPerPeer) {
      return `Too many sessions from ${peer} (limit ${this.#limits.maxSessionsPerPeer}): close one first`;
    }
    if (this.#slots.size >= this.#limits.maxSessions) {
      const idlest = this.#idleLongest();
      if (!idlest) {
        return `The server is full (at most ${this.#limits.maxSessions} at once): try again later`;
      }
      idlest.stop(EVICTED); // Its place is free from now on, whenever it finishes closing.
    }
    const slot = new Slot(peer, (released) => this.#release(released));
    this.#slots.add(slot);
    this.#perPeer.set(peer, (this.#perPeer.get(peer) ?? 0) + 1);
    return slot;
  }

  /** Asks every session to stop with `reason` (a shutdown): idle ones at once. */
  stopAll(reason: string): void {
    for (const slot of [...this.#slots]) slot.stop(reason, false);
  }

  #idleLongest(): Slot | undefined {
    let idlest: Slot | undefined;
    for (const slot of this.#slots) {
      if (slot.idleSince !== undefined && slot.idleSince < (idlest?.idleSince ?? Infinity)) {
        idlest = slot;
      }
    }
    return idlest;
  }

  #release(slot: Slot): void {
    if (!this.#slots.delete(slot)) return;
    const left = (this.#perPeer.get(slot.peer) ?? 1) - 1;
    if (left === 0) this.#perPeer.delete(slot.peer);
    else this.#perPeer.set(slot.peer, left);
  }
}

class Slot implements SessionSlot {
  readonly peer: string;
  /** When the session last began to wait for a command; `undefined` while busy. */
  idleSince: number | undefined;
  #release: (slot: Slot) => void;
  #stop: ((reason: string) => void) | undefined;
  #stopped = false;

  constructor(peer: string, release: (slot: Slot) => void) {
    this.peer = peer;
    this.#release = release;
  }

  idle(): void {
    this.idleSince ??= performance.now();
  }

  busy(): void {
    this.idleSince = undefined;
  }

  onStop(stop: (reason: string) => void): void {
    this.#stop = stop;
  }

  /** Asks the session to stop; `giveWay` also frees its place now, for a newcomer. */
  stop(reason: string, giveWay = true): void {
    if (giveWay) this.release();
    if (this.#stopped) return;
    this.#stopped = true;
    this.idleSince = undefined;
    this.#stop?.(reason);
  }

  release(): void {
    this.#release(this);
  }
}

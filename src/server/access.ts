/**
 * Who may do what on a secure server: access tokens (one for reading and writing, one
 * for reading only), compared in constant time, and a per-address back-off that makes
 * each wrong token cost its sender more time than the one before.
 *
 * @module
 */

import type { Access } from "../protocol/commands.ts";

export type { Access };

/** The tokens a server accepts; either may be absent. */
export interface AccessTokens {
  readWrite?: string;
  readOnly?: string;
}

/** Random bytes in a token: 160 bits, far past guessing. */
const TOKEN_BYTES = 20;

/** A new random token: 27 characters of base64url. */
export function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(TOKEN_BYTES));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}

/**
 * What `given` grants, if anything. Both tokens are always compared, in constant
 * time over digests of equal length, so the answer's timing says nothing about either.
 */
export async function accessFor(
  tokens: AccessTokens,
  given: string,
): Promise<Access | undefined> {
  const { timingSafeEqual } = await import("node:crypto"); // Not at start-up: see `sameSecret`.
  const theirs = await digest(given);
  const readWrite = tokens.readWrite !== undefined &&
    timingSafeEqual(theirs, await digest(tokens.readWrite));
  const readOnly = tokens.readOnly !== undefined &&
    timingSafeEqual(theirs, await digest(tokens.readOnly));
  return readWrite ? "read-write" : readOnly ? "read-only" : undefined;
}

/** Whether two secrets are equal, compared in constant time. */
export async function sameSecret(given: string, expected: string): Promise<boolean> {
  // node:crypto is loaded on first use: at start-up it costs a plain server ~25 ms.
  const { timingSafeEqual } = await import("node:crypto");
  return timingSafeEqual(await digest(given), await digest(expected));
}

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

/** The first wrong token from an address waits this long; each next one twice as long. */
const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;
/** An address that has not failed for this long starts again from the first delay. */
const FORGET_AFTER_MS = 10 * 60_000;

/**
 * Slows down wrong tokens per address, across all its sessions: after a failure, the
 * next answer to that address waits until its back-off has passed.
 */
export class AuthThrottle {
  #failures = new Map<string, { count: number; until: number; last: number }>();

  /** How long an answer to `peer` must wait now, in milliseconds. */
  delay(peer: string, now = performance.now()): number {
    const entry = this.#entry(peer, now);
    return entry ? Math.max(0, entry.until - now) : 0;
  }

  /** Records a wrong token from `peer`. */
  failed(peer: string, now = performance.now()): void {
    const entry = this.#entry(peer, now) ?? { count: 0, until: now, last: now };
    entry.count++;
    entry.last = now;
    entry.until = now + Math.min(FIRST_DELAY_MS * 2 ** (entry.count - 1), MAX_DELAY_MS);
    this.#failures.set(peer, entry);
  }

  /** Forgets `peer`'s failures once it has shown a right token. */
  succeeded(peer: string): void {
    this.#failures.delete(peer);
  }

  #entry(peer: string, now: number) {
    const entry = this.#failures.get(peer);
    if (entry && now - entry.last > FORGET_AFTER_MS) {
      this.#failures.delete(peer);
      return undefined;
    }
    return entry;
  }
}

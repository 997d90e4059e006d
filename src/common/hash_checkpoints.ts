/**
 * Hash states kept in memory along a file as it is hashed, so that a transfer resumed
 * at some offset starts from the nearest state at or before it instead of reading the
 * file again from its first byte. The states die with the process: after a restart a
 * resumed transfer falls back to reading the prefix.
 *
 * @module
 */

import type { Digest, DigestName } from "./digest.ts";

/** A hash state: the digest of a file's first `offset` bytes, still open. */
export interface Checkpoint {
  offset: number;
  digest: Digest;
}

/** Options for {@linkcode HashCheckpoints}. */
export interface HashCheckpointsOptions {
  /** Files remembered at once; the least recently used is forgotten first. Default 64. */
  maxFiles?: number;
  /** Bytes between two states of one file. Default 16 MiB. */
  every?: number;
  /** States kept per file; past it every other one goes (the spacing doubles). Default 512. */
  maxPerFile?: number;
}

/** A digest that records checkpoints as it is fed, and counts what it was fed. */
export interface TrackedDigest extends Digest {
  /** The offset reached: where it started plus every byte fed since. */
  readonly offset: number;
}

/**
 * The key hash states of one version of one file (`version`: a `snapshotKey`, with
 * whatever else tells files apart) are kept under for the digest `name`: a state of
 * one digest is no start for another. None where the version is unknown.
 */
export function checkpointKey(name: DigestName, version: string | undefined): string | undefined {
  return version === undefined ? undefined : `${name} ${version}`;
}

/**
 * Hash states of recently hashed files, each under a key that names one version of one
 * file and a digest ({@linkcode checkpointKey}); an unknown key (`undefined`) records
 * and finds nothing.
 */
export class HashCheckpoints {
  #files = new Map<string, Checkpoint[]>();
  #maxFiles: number;
  #every: number;
  #maxPerFile: number;

  constructor(options: HashCheckpointsOptions = {}) {
    this.#maxFiles = options.maxFiles ?? 64;
    this.#every = options.every ?? 16 << 20;
    this.#maxPerFile = options.maxPerFile ?? 512;
  }

  /**
   * Wraps `digest` (the state at `offset` of the file `key` names) so that feeding it
   * records a checkpoint every so many bytes.
   */
  track(key: string | undefined, digest: Digest, offset = 0): TrackedDigest {
    let last = offset;
    return counted(digest, offset, (at) => {
      if (key === undefined || at - last < this.#every) return;
      last = at;
      this.#record(key, { offset: at, digest: digest.copy() });
    });
  }

  /** Records the state at `offset` exactly (where a transfer stopped). */
  remember(key: string | undefined, checkpoint: Checkpoint): void {
    if (key === undefined) return;
    this.#record(key, { offset: checkpoint.offset, digest: checkpoint.digest.copy() });
  }

  /** The latest state at or before `offset` (a copy, to go on from), if any. */
  nearest(key: string | undefined, offset: number): Checkpoint | undefined {
    const states = key === undefined ? undefined : this.#files.get(key);
    if (!states) return undefined;
    this.#touch(key!, states);
    let best: Checkpoint | undefined;
    for (const state of states) {
      if (state.offset <= offset && (!best || state.offset > best.offset)) best = state;
    }
    return best && { offset: best.offset, digest: best.digest.copy() };
  }

  /** Forgets every state of `key`. */
  forget(key: string | undefined): void {
    if (key !== undefined) this.#files.delete(key);
  }

  #record(key: string, state: Checkpoint): void {
    const states = (this.#files.get(key) ?? []).filter((s) => s.offset !== state.offset);
    states.push(state);
    states.sort((a, b) => a.offset - b.offset);
    const kept = states.length > this.#maxPerFile ? states.filter((_, i) => i % 2 === 1) : states;
    this.#touch(key, kept);
    while (this.#files.size > this.#maxFiles) {
      this.#files.delete(this.#files.keys().next().value!);
    }
  }

  /** Moves `key` to the most recently used end. */
  #touch(key: string, states: Checkpoint[]): void {
    this.#files.delete(key);
    this.#files.set(key, states);
  }
}

/**
 * `digest`, counting the bytes fed to it from `offset` on; `onFed` hears the offset
 * reached after each update.
 */
export function counted(
  digest: Digest,
  offset: number,
  onFed?: (offset: number) => void,
): TrackedDigest {
  let at = offset;
  return {
    get offset() {
      return at;
    },
    update(chunk) {
      digest.update(chunk);
      at += chunk.byteLength;
      onFed?.(at);
    },
    hex: () => digest.hex(),
    copy: () => digest.copy(),
  };
}

/**
 * Streaming digests of the bytes a transfer moves, by name: the one seam every
 * trailer, status, `hash` answer and cached digest goes through.
 *
 * - `sha256` comes from `node:crypto` (WebCrypto can only hash a whole buffer), loaded
 *   on first use (it is a fifth of ferry's start-up time). The base protocol's digest.
 * - `xxh128` (XXH3, 128 bits) comes from `hash-wasm`'s WebAssembly build, loaded on
 *   first use too: portable (no native addon, so it works under `deno compile` on every
 *   target) and measured at about 5 GB per CPU-second here, three times SHA-256's 1.6.
 *   It is not cryptographic: it catches accidents and truncation, not forgeries
 *   (PROTOCOL.md §17 and SECURITY.md say what each digest protects against).
 *
 * A hasher's WebAssembly instance is kept for the next digest once one is done, so a
 * thousand small files cost one instance, not a thousand.
 *
 * @module
 */

import type { Hash } from "node:crypto";

/** A digest being computed over a stream of chunks. */
export interface Digest {
  update(chunk: Uint8Array): void;
  /** The digest of everything fed in, as lowercase hex; the digest ends there (no more updates). */
  hex(): string;
  /**
   * A digest in the same state, going on separately: what a resumed transfer starts
   * from, and how a prefix's hex is read without ending the digest of the whole.
   */
  copy(): Digest;
}

/** The digest names ferry can compute, as they appear on the wire. */
export type DigestName = "sha256" | "xxh128";

/** What a digest looks like on the wire: its hex length. */
export const DIGEST_HEX_LENGTH: { readonly [N in DigestName]: number } = {
  sha256: 64,
  xxh128: 32,
};

/** Every digest name, fastest first: the order a ferry peer offers them in. */
export const DIGEST_NAMES: readonly DigestName[] = ["xxh128", "sha256"];

/** The base protocol's digest, and every peer's that agreed no other. */
export const BASE_DIGEST: DigestName = "sha256";

/** Whether `text` names a digest ferry can compute. */
export function isDigestName(text: string): text is DigestName {
  return Object.hasOwn(DIGEST_HEX_LENGTH, text);
}

/** A digest and its value: what a trailer, a status or the digest cache holds. */
export interface Vouch {
  name: DigestName;
  hex: string;
}

/** hash-wasm's hasher, as far as ferry uses it. */
interface WasmHasher {
  init(): unknown;
  update(data: Uint8Array): unknown;
  digest(format: "hex"): string;
  /** The hasher's state, to `load()` into this or another instance later. */
  save(): Uint8Array;
  load(state: Uint8Array): unknown;
}

/** Finished xxh128 hashers, ready for the next digest. */
const idleXxh128: WasmHasher[] = [];
/** Kept at most: one per transfer under way is plenty. */
const MAX_IDLE = 64;
/**
 * The instance every copied xxh128 digest runs on, one call at a time (each loads its
 * own saved state first): `copy()` is synchronous and a new instance is not, so it is
 * made beside the first xxh128 digest, before any copy can be asked for.
 */
let sharedXxh128: WasmHasher | undefined;

/** Starts a digest. */
export async function createDigest(name: DigestName): Promise<Digest> {
  return name === "sha256" ? await sha256Digest() : await xxh128Digest();
}

async function sha256Digest(): Promise<Digest> {
  const { createHash } = await import("node:crypto");
  return wrapHash(createHash("sha256"));
}

function wrapHash(hash: Hash): Digest {
  let hex: string | undefined;
  return {
    update: (chunk) => void hash.update(chunk),
    hex: () => hex ??= hash.digest("hex"),
    copy: () => wrapHash(hash.copy()),
  };
}

async function xxh128Digest(): Promise<Digest> {
  sharedXxh128 ??= await newXxh128();
  const wasm = idleXxh128.pop() ?? await newXxh128();
  wasm.init();
  let hex: string | undefined;
  return {
    update: (chunk) => {
      // Once done, the instance may be hashing someone else's file.
      if (hex !== undefined) throw new TypeError("Cannot update a digest that has ended");
      wasm.update(chunk);
    },
    hex: () => {
      if (hex === undefined) {
        hex = wasm.digest("hex");
        if (idleXxh128.length < MAX_IDLE) idleXxh128.push(wasm);
      }
      return hex;
    },
    copy: () => {
      if (hex !== undefined) throw new TypeError("Cannot copy a digest that has ended");
      return savedXxh128(wasm.save());
    },
  };
}

async function newXxh128(): Promise<WasmHasher> {
  const { createXXHash128 } = await import("hash-wasm");
  return await createXXHash128();
}

/**
 * An xxh128 digest kept as saved state and run on the shared instance: a copy for a
 * checkpoint or a prefix is read far more often than it is fed.
 */
function savedXxh128(saved: Uint8Array): Digest {
  const wasm = sharedXxh128!;
  let state = saved;
  let hex: string | undefined;
  return {
    update: (chunk) => {
      if (hex !== undefined) throw new TypeError("Cannot update a digest that has ended");
      wasm.load(state);
      wasm.update(chunk);
      state = wasm.save();
    },
    hex: () => {
      if (hex === undefined) {
        wasm.load(state);
        hex = wasm.digest("hex");
      }
      return hex;
    },
    copy: () => savedXxh128(state.slice()),
  };
}

/**
 * A digest whose value is known already (the server's digest cache): it hashes
 * nothing, so a file it vouches for is only copied.
 */
export function knownDigest(hex: string): Digest {
  return { update: () => {}, hex: () => hex, copy: () => knownDigest(hex) };
}

/** What a transfer that needs no digest (a listing) hashes with: nothing. */
export const NO_DIGEST: Digest = Object.freeze({
  update: () => {},
  hex: () => "",
  copy: () => NO_DIGEST,
});

/** Something to read from, such as a `Deno.FsFile`. */
export interface Readable {
  read(buffer: Uint8Array): Promise<number | null>;
}

/** Options for {@linkcode digestOf}. */
export interface DigestOfOptions {
  /** The digest to compute. Default `sha256`. */
  name?: DigestName;
  /** The most read at a time, so memory stays flat whatever the size. Default 1 MiB. */
  chunk?: number;
}

/** The digest (hex) of everything left to read in `file`. */
export async function digestOf(file: Readable, options: DigestOfOptions = {}): Promise<string> {
  const digest = await createDigest(options.name ?? BASE_DIGEST);
  await feedDigest(file, digest, { chunk: options.chunk });
  return digest.hex();
}

/**
 * Feeds `digest` the next bytes of `file`: at most `limit` of them (default: all that
 * is left), in pieces of at most `chunk` bytes. Returns how many it read, which is
 * less than `limit` only where the file ended first.
 */
export async function feedDigest(
  file: Readable,
  digest: Digest,
  { limit = Infinity, chunk = 1 << 20 }: { limit?: number; chunk?: number } = {},
): Promise<number> {
  const buffer = new Uint8Array(Math.max(1, Math.min(chunk, limit)));
  let fed = 0;
  while (fed < limit) {
    const read = await file.read(buffer.subarray(0, Math.min(buffer.byteLength, limit - fed)));
    if (read === null || read === 0) break;
    digest.update(buffer.subarray(0, read));
    fed += read;
  }
  return fed;
}

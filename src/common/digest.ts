/**
 * Streaming digests of the bytes a transfer moves. WebCrypto can only hash a whole
 * buffer, so SHA-256 comes from `node:crypto`, loaded on first use (it is a fifth of
 * ferry's start-up time).
 *
 * @module
 */

/** A digest being computed over a stream of chunks. */
export interface Digest {
  update(chunk: Uint8Array): void;
  /** The digest of everything fed in, as lowercase hex; the digest ends there (no more updates). */
  hex(): string;
}

/** The digest names ferry can compute. */
export type DigestName = "sha256";

/** Starts a digest. */
export async function createDigest(name: DigestName): Promise<Digest> {
  const { createHash } = await import("node:crypto");
  const hash = createHash(name);
  let hex: string | undefined;
  return {
    update: (chunk) => void hash.update(chunk),
    hex: () => hex ??= hash.digest("hex"),
  };
}

/** What a transfer that needs no digest (a listing) hashes with: nothing. */
export const NO_DIGEST: Digest = Object.freeze({ update: () => {}, hex: () => "" });

/** Something to read from, such as a `Deno.FsFile`. */
export interface Readable {
  read(buffer: Uint8Array): Promise<number | null>;
}

/**
 * The SHA-256 (hex) of everything left to read in `file`, read in pieces of at most
 * `chunk` bytes (default 1 MiB), so memory stays flat whatever the size.
 */
export async function digestOf(file: Readable, chunk = 1 << 20): Promise<string> {
  const digest = await createDigest("sha256");
  const buffer = new Uint8Array(Math.max(1, chunk));
  for (let read; (read = await file.read(buffer)) !== null;) {
    digest.update(buffer.subarray(0, read));
  }
  return digest.hex();
}

/**
 * Interrupted uploads the server keeps for the client that started them to resume
 * (PROTOCOL.md §19): the temp file stays beside its target under its hidden name, with
 * a small `.resume` file beside it that says whose it is (a digest of the client's key,
 * its access and the target's path, never the key itself), how large the whole file is
 * and when it expires, so a restarted server finds it again. While the server runs it
 * also keeps the hash state of the kept bytes, so a resume need not read them again.
 *
 * Bounded in time (`resumeTtl`) and space (`resumeSpaceBytes`, the oldest go first);
 * expired ones go whenever the kept set is next looked at, and at start-up.
 *
 * @module
 */

import { createDigest, type Digest, type DigestName } from "../common/digest.ts";

/** One kept upload. */
export interface KeptUpload {
  /** Who may resume it, and where to: see {@linkcode keptUploadId}. */
  id: string;
  /** The temp file holding the bytes kept. */
  tempPath: string;
  /** The whole file's size, as the client announced it. */
  size: number;
  /** Bytes kept. */
  bytes: number;
  /** When it goes, in milliseconds since the epoch. */
  expires: number;
  /**
   * The hash state of the `bytes` kept in the digest `name` (the session's), while this
   * server runs, with the temp file's modification time when it was kept: a file
   * touched since, or a resume in another digest, reads it again instead.
   */
  digest?: { name: DigestName; state: Digest; mtime: number | null };
}

/** Options for {@linkcode KeptUploads}. */
export interface KeptUploadsOptions {
  /** How long one is kept, in milliseconds. */
  ttl: number;
  /** Bytes all of them may hold together. */
  space: number;
  /** The clock. Default `Date.now`. */
  now?: () => number;
}

/**
 * What binds a kept upload to its client and target: the SHA-256 of the client's key,
 * what it authenticated as (`plain` without tokens) and the target's path on disk.
 */
export async function keptUploadId(
  { key, owner, path }: { key: string; owner: string; path: string },
): Promise<string> {
  const digest = await createDigest("sha256");
  digest.update(new TextEncoder().encode(`ferry-resume\n${owner}\n${key}\n${path}`));
  return digest.hex();
}

/** The `.resume` file beside a kept upload's temp file. */
export function sidecarOf(tempPath: string): string {
  return tempPath.replace(/\.part$/, ".resume");
}

/** The kept uploads of one server. */
export class KeptUploads {
  #entries = new Map<string, KeptUpload>();
  /** Uploads under way, by id: settled once each is stored, refused or kept. */
  #busy = new Map<string, Promise<void>>();
  #ttl: number;
  #space: number;
  #now: () => number;

  constructor(options: KeptUploadsOptions) {
    this.#ttl = options.ttl;
    this.#space = options.space;
    this.#now = options.now ?? Date.now;
  }

  /** Bytes kept in all. */
  get bytes(): number {
    let total = 0;
    for (const entry of this.#entries.values()) total += entry.bytes;
    return total;
  }

  /** How many are kept. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Takes up the temp files a previous run kept (found at start-up, each with its
   * `.resume` file); removes those that expired or cannot be read. Returns how many
   * it kept.
   */
  async load(tempPaths: readonly string[]): Promise<number> {
    for (const tempPath of tempPaths) {
      const entry = await readSidecar(tempPath).catch(() => undefined);
      if (entry && entry.expires > this.#now()) this.#entries.set(entry.id, entry);
      else await removeFiles(tempPath);
    }
    await this.#fit();
    return this.#entries.size;
  }

  /**
   * Marks an upload under `id` as under way, until the returned function is called
   * (once it is stored, refused or kept): a {@linkcode take} of the same id meanwhile
   * waits for it a little, since a client that resumes at once after a cut may be
   * faster than the server at noticing the cut.
   */
  claim(id: string): () => void {
    let release = () => {};
    const settled = new Promise<void>((resolve) => release = resolve);
    this.#busy.set(id, settled);
    return () => {
      if (this.#busy.get(id) === settled) this.#busy.delete(id);
      release();
    };
  }

  /**
   * Hands over the upload kept under `id`, if any (and not expired): it is no longer
   * kept, so no one else can take it; {@linkcode keep} it again if it is cut again.
   * One still under way under `id` is waited for up to `wait` ms first (default 2 s).
   */
  async take(
    id: string,
    { wait = 2_000 }: { wait?: number } = {},
  ): Promise<KeptUpload | undefined> {
    const busy = this.#busy.get(id);
    if (busy) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<void>((resolve) => timer = setTimeout(resolve, wait));
      await Promise.race([busy, late]).finally(() => clearTimeout(timer));
    }
    await this.sweep();
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    this.#entries.delete(id);
    // In use now: stored, refused or kept again, it needs no `.resume` file any more (and
    // one a crash leaves without it is an ordinary stale upload at the next start).
    await Deno.remove(sidecarOf(entry.tempPath)).catch(() => {});
    return entry;
  }

  /**
   * Keeps an interrupted upload until `ttl` from now, replacing one kept under the
   * same id; the oldest others go if the space needs it (this one too, if it alone
   * is over the limit).
   */
  async keep(entry: Omit<KeptUpload, "expires">): Promise<void> {
    const kept = { ...entry, expires: this.#now() + this.#ttl };
    const previous = this.#entries.get(kept.id);
    if (previous && previous.tempPath !== kept.tempPath) await this.discard(previous);
    this.#entries.delete(kept.id);
    if (kept.bytes === 0 || kept.bytes > this.#space) return await removeFiles(kept.tempPath);
    await writeSidecar(kept);
    this.#entries.set(kept.id, kept);
    await this.#fit();
  }

  /** Removes a kept upload's files. */
  async discard(entry: KeptUpload): Promise<void> {
    this.#entries.delete(entry.id);
    await removeFiles(entry.tempPath);
  }

  /** Removes the expired ones. */
  async sweep(): Promise<void> {
    const now = this.#now();
    for (const entry of [...this.#entries.values()]) {
      if (entry.expires <= now) await this.discard(entry);
    }
  }

  /** Removes the oldest (soonest to expire) until the rest fit the space. */
  async #fit(): Promise<void> {
    const byAge = [...this.#entries.values()].sort((a, b) => a.expires - b.expires);
    let total = this.bytes;
    for (const entry of byAge) {
      if (total <= this.#space) break;
      total -= entry.bytes;
      await this.discard(entry);
    }
  }
}

interface Sidecar {
  id: string;
  size: number;
  expires: number;
}

async function writeSidecar(entry: KeptUpload): Promise<void> {
  const sidecar: Sidecar = { id: entry.id, size: entry.size, expires: entry.expires };
  const path = sidecarOf(entry.tempPath);
  // Readable by the server alone: it names an upload only its client can continue.
  await Deno.writeTextFile(`${path}.new`, JSON.stringify(sidecar), { mode: 0o600 });
  await Deno.rename(`${path}.new`, path);
}

async function readSidecar(tempPath: string): Promise<KeptUpload | undefined> {
  const sidecar: Partial<Sidecar> = JSON.parse(await Deno.readTextFile(sidecarOf(tempPath)));
  const { id, size, expires } = sidecar;
  if (typeof id !== "string" || !/^[0-9a-f]{64}$/.test(id)) return undefined;
  if (!Number.isSafeInteger(size) || !Number.isSafeInteger(expires)) return undefined;
  const bytes = (await Deno.stat(tempPath)).size;
  if (bytes > size!) return undefined;
  return { id, tempPath, size: size!, bytes, expires: expires! };
}

async function removeFiles(tempPath: string): Promise<void> {
  for (const path of [tempPath, sidecarOf(tempPath), `${sidecarOf(tempPath)}.new`]) {
    await Deno.remove(path).catch(() => {});
  }
}

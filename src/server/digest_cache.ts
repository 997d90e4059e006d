/**
 * The server's memory of file digests, so a `get`, `fetch` or `hash` of a file it
 * has hashed before only copies it. An entry is keyed by everything a change to the
 * bytes changes (device, inode, size, modification and change times: the
 * {@linkcode FileSnapshot} of the file when it was opened), so a file written since
 * is a miss, never a wrong answer; a transfer that uses an entry is still watched for
 * changes while it is sent (file_snapshot.ts). Filled by uploads (the digest of what
 * the server wrote) and by first reads, bounded (least recently used out first), and
 * kept in a JSON file the server owns, rewritten whole (temp file, rename) now and then
 * and at shutdown.
 *
 * A file changed within a tick of its change time (a second: `settledKey`) is not
 * remembered, since a second write in that tick, of the same size with its
 * modification time set back, would keep the key; so a file is cached from its first
 * read or upload a second or more after it was last written.
 *
 * @module
 */

import { dirname } from "node:path";
import { type DigestName, isDigestName } from "../common/digest.ts";
import { type FileSnapshot, settledKey } from "../common/file_snapshot.ts";

/** Options for {@linkcode DigestCache.open}. */
export interface DigestCacheOptions {
  /** Where the entries are kept across restarts. Default: in memory only. */
  file?: string;
  /** The most entries kept. Default 50,000 (a few MiB of JSON). */
  maxEntries?: number;
  /** Saves after this many new entries, besides at {@linkcode DigestCache.save}. Default 1000. */
  saveEvery?: number;
  /** The clock a file's change time is compared with (see `settledKey`). Default `Date.now`. */
  now?: () => number;
}

/** What is saved: a version, so a later format is read as nothing rather than misread. */
interface Saved {
  version: 1;
  entries: [string, Partial<Record<DigestName, string>>][];
}

const VERSION = 1;
const HEX = /^[0-9a-f]{32,64}$/;

/** File digests by snapshot; see the module doc. */
export class DigestCache {
  #entries = new Map<string, Partial<Record<DigestName, string>>>();
  #file: string | undefined;
  #max: number;
  #saveEvery: number;
  #unsaved = 0;
  #saving: Promise<void> = Promise.resolve();
  #now: () => number;

  private constructor(options: DigestCacheOptions) {
    this.#file = options.file;
    this.#max = Math.max(1, options.maxEntries ?? 50_000);
    this.#saveEvery = Math.max(1, options.saveEvery ?? 1000);
    this.#now = options.now ?? Date.now;
  }

  /**
   * Opens the cache, reading `options.file` if it is there. A file that cannot be
   * read or is not this format is set aside as empty: a cache is only ever a shortcut.
   */
  static async open(options: DigestCacheOptions = {}): Promise<DigestCache> {
    const cache = new DigestCache(options);
    if (!options.file) return cache;
    let saved: unknown;
    try {
      saved = JSON.parse(await Deno.readTextFile(options.file));
    } catch {
      return cache;
    }
    if (!isSaved(saved)) return cache;
    for (const [key, digests] of saved.entries.slice(-cache.#max)) {
      cache.#entries.set(key, digests);
    }
    return cache;
  }

  /** How many files have an entry. */
  get size(): number {
    return this.#entries.size;
  }

  /** The digest `name` of the file as `snapshot` shows it, if known. */
  lookup(snapshot: FileSnapshot, name: DigestName): string | undefined {
    const key = settledKey(snapshot, this.#now());
    const digests = key === undefined ? undefined : this.#entries.get(key);
    const hex = digests?.[name];
    if (hex === undefined) return undefined;
    // Most recently used last: the first entry is the one to drop.
    this.#entries.delete(key!);
    this.#entries.set(key!, digests!);
    return hex;
  }

  /** Records that the file as `snapshot` shows it has the digest `name` `hex`. */
  remember(snapshot: FileSnapshot, name: DigestName, hex: string): void {
    const key = settledKey(snapshot, this.#now());
    if (key === undefined) return;
    const digests = this.#entries.get(key) ?? {};
    if (digests[name] === hex) return;
    this.#entries.delete(key);
    this.#entries.set(key, { ...digests, [name]: hex });
    while (this.#entries.size > this.#max) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    if (++this.#unsaved >= this.#saveEvery) void this.save().catch(() => {});
  }

  /** Writes the entries to the file (if there is one), whole: a temp file, renamed over. */
  save(): Promise<void> {
    const file = this.#file;
    if (!file || this.#unsaved === 0) return this.#saving;
    this.#unsaved = 0;
    const saved: Saved = { version: VERSION, entries: [...this.#entries] };
    // One save at a time, in order, so an older one never lands over a newer one.
    this.#saving = this.#saving.catch(() => {}).then(async () => {
      await Deno.mkdir(dirname(file), { recursive: true, mode: 0o700 });
      const temp = `${file}.${crypto.randomUUID()}.tmp`;
      try {
        await Deno.writeTextFile(temp, JSON.stringify(saved), { mode: 0o600 });
        await Deno.rename(temp, file);
      } finally {
        await Deno.remove(temp).catch(() => {});
      }
    });
    return this.#saving;
  }
}

function isSaved(value: unknown): value is Saved {
  if (typeof value !== "object" || value === null) return false;
  const { version, entries } = value as Partial<Saved>;
  return version === VERSION && Array.isArray(entries) &&
    entries.every((entry) =>
      Array.isArray(entry) && entry.length === 2 && typeof entry[0] === "string" &&
      typeof entry[1] === "object" && entry[1] !== null &&
      Object.entries(entry[1]).every(([name, hex]) =>
        isDigestName(name) && typeof hex === "string" && HEX.test(hex)
      )
    );
}

/**
 * The server's names as the prompt knows them, for Tab: one listing per folder
 * (relative to the server's current folder), fetched when first needed and kept until
 * a command that changes the server's files or folder runs (`put`, `rm`, `cd`, and
 * whatever is marked `changes` in the command table), or `ls` brings a fresh one.
 * One command at a time on a control connection: a command waits for a fetch.
 *
 * @module
 */

import type { Client } from "../client/client.ts";
import type { ListingEntry } from "../protocol/listing.ts";
import type { Candidate } from "./completion.ts";

/** How many names of one folder are kept: a huge folder gives enough to choose from. */
const MOST_NAMES = 10_000;

/** Cached listings of the server's folders. */
export class RemoteNames {
  #client: Client;
  #folders = new Map<string, Candidate[]>();
  #fetching = new Map<string, Promise<Candidate[]>>();

  constructor(client: Client) {
    this.#client = client;
  }

  /**
   * The names in `folder` (`""` for the current one, `photos/` for one below it),
   * fetched if not known; none if the listing fails (Tab just finds nothing).
   */
  entries(folder = ""): Promise<Candidate[]> {
    const key = folderKey(folder);
    const known = this.#folders.get(key);
    if (known) return Promise.resolve(known);
    let fetching = this.#fetching.get(key);
    if (!fetching) {
      fetching = this.#client.list(key === "" ? undefined : key).then(
        (listing) => this.#keep(key, listing),
        () => [],
      ).finally(() => this.#fetching.delete(key));
      this.#fetching.set(key, fetching);
    }
    return fetching;
  }

  /** A listing of `folder` just seen (by `ls`): the cache of that folder becomes it. */
  seen(folder: string, listing: Iterable<ListingEntry>): void {
    this.#keep(folderKey(folder), listing);
  }

  /** The server's files or folder changed: fetch again next time. */
  invalidate(): void {
    this.#folders.clear();
  }

  /** Settles once no fetch is under way, so a command has the connection to itself. */
  async idle(): Promise<void> {
    await Promise.all(this.#fetching.values());
  }

  #keep(key: string, listing: Iterable<ListingEntry>): Candidate[] {
    const names: Candidate[] = [];
    for (const entry of listing) {
      if (names.length >= MOST_NAMES) break;
      names.push({ name: entry.name, folder: entry.isDirectory });
    }
    this.#folders.set(key, names);
    return names;
  }
}

/** `photos/` and `photos` are one folder; `/` stays the top. */
function folderKey(folder: string): string {
  const trimmed = folder.replace(/\/+$/, "");
  return trimmed === "" && folder.startsWith("/") ? "/" : trimmed;
}

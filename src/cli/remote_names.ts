/**
 * The server's names as the prompt knows them, for Tab: one listing, fetched when
 * first needed and kept until a command that changes the folder runs (`put`, and
 * whatever is marked `changes` in the command table), or `ls` brings a fresh one.
 * One command at a time on a control connection: a command waits for a fetch.
 *
 * @module
 */

import type { Client } from "../client/client.ts";
import type { ListingEntry } from "../protocol/listing.ts";

/** A cached listing of the server's folder. */
export class RemoteNames {
  #client: Client;
  #entries: ListingEntry[] | undefined;
  #fetching: Promise<ListingEntry[] | undefined> | undefined;

  constructor(client: Client) {
    this.#client = client;
  }

  /** The names, fetched if not known; none if the listing fails (Tab just finds nothing). */
  entries(): Promise<ListingEntry[]> {
    if (this.#entries) return Promise.resolve(this.#entries);
    this.#fetching ??= this.#client.list().then(
      (entries) => (this.#entries = entries),
      () => undefined,
    ).finally(() => this.#fetching = undefined);
    return this.#fetching.then((entries) => entries ?? []);
  }

  /** A listing just seen (by `ls`): the cache becomes it. */
  seen(entries: ListingEntry[]): void {
    this.#entries = entries;
  }

  /** The folder changed: fetch again next time. */
  invalidate(): void {
    this.#entries = undefined;
  }

  /** Settles once no fetch is under way, so a command has the connection to itself. */
  async idle(): Promise<void> {
    await this.#fetching;
  }
}

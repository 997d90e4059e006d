/**
 * Telling a stranger at the server's address (an SSH, SMTP or HTTP server) apart
 * from a ferry or simple-FTP server in classic mode, by the first bytes it sends:
 * every reply of every dialect starts with a 10-byte field, so a greeting or an
 * answer in another protocol gives itself away within its first bytes. Kept here,
 * apart from `control.ts`, which only feeds it and asks.
 *
 * @module
 */

import { NotFerryError } from "../common/errors.ts";
import { formatAddress, quote } from "../common/text.ts";
import { couldStartField } from "../protocol/field.ts";
import { looksLikeTls } from "../protocol/replies.ts";
import type { NetAddress } from "../transport/connection.ts";

/** How much of a stranger's first answer a message quotes. */
const QUOTED_BYTES = 60;

/** The first bytes a server sent, kept until it has answered once, to judge and quote them. */
export class FirstBytes {
  #bytes: Uint8Array | undefined;

  /** Keeps the start of `bytes`, up to what a message quotes. */
  keep(bytes: Uint8Array): void {
    const kept = this.#bytes?.byteLength ?? 0;
    if (kept >= QUOTED_BYTES) return;
    const more = bytes.subarray(0, QUOTED_BYTES - kept);
    const joined = new Uint8Array(kept + more.byteLength);
    if (this.#bytes) joined.set(this.#bytes);
    joined.set(more, kept);
    this.#bytes = joined;
  }

  /** Whether the bytes kept cannot start a reply field (and are no TLS record either). */
  get foreign(): boolean {
    return this.#bytes !== undefined && !couldStartField(this.#bytes) &&
      !looksLikeTls(this.#bytes);
  }

  /** Forgets the bytes: the server answered as a ferry server would. */
  clear(): void {
    this.#bytes = undefined;
  }

  /** The error that says what answered at `remote` is a stranger, and what it did. */
  stranger(
    remote: NetAddress,
    what: string,
    options: { quoteStart: boolean; cause?: unknown },
  ): NotFerryError {
    const start = new TextDecoder().decode(this.#bytes).split(/\r?\n/)[0];
    const quoted = options.quoteStart ? ` ${quote(start, QUOTED_BYTES)}` : "";
    return new NotFerryError(
      `The server at ${
        formatAddress(remote)
      } does not look like a ferry or simple-FTP server: ${what}${quoted}`,
      { cause: options.cause },
    );
  }
}

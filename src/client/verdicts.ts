/**
 * What the client makes of the server's word on a transfer, however the bytes came
 * (a data connection, or a `fetch` answer, PROTOCOL.md §18): a download is kept only
 * whole and vouched for where it must be, and an upload counts as done only once
 * confirmed where a confirmation always comes. The digest is the session's (§17).
 *
 * @module
 */

import { IntegrityError, TransferError, UnverifiedError } from "../common/errors.ts";
import { quote } from "../common/text.ts";
import type { Received } from "./transfers.ts";

/** What a session takes as the server's word on a transfer. */
export interface Expectation {
  /** The file's name on the server, for messages. */
  name: string;
  /**
   * The server's trailers and statuses always come: it answered `feat` (a ferry
   * server) and speaks a dialect that has them.
   */
  vouches: boolean;
  /** Every transfer must be vouched for (`--verify`). */
  verify: boolean;
}

/** Throws unless `received` may be kept: whole, and vouched for if it must be. */
export function checkDownload(received: Received, { name, vouches, verify }: Expectation): void {
  if (received.declared === undefined && vouches) {
    // A ferry server always sends its trailer: without it, the end was cut off.
    throw new TransferError(
      `The checksum of ${quote(name)} did not arrive, so the download was discarded`,
    );
  }
  if (received.declared !== undefined && received.declared !== received.hex) {
    throw new IntegrityError(
      `Download of ${quote(name)} is corrupt: the server sent ${received.digest} ` +
        `${received.declared} but the bytes hash to ${received.hex}`,
    );
  }
  if (received.declared === undefined && verify) {
    throw new UnverifiedError(
      `${quote(name)} was not verified (the server sent no checksum) and verification ` +
        "is required, so the download was discarded",
    );
  }
}

/** Throws unless an upload the server did (or did not) confirm counts as done. */
export function checkUpload(verified: boolean, { name, vouches, verify }: Expectation): void {
  if (!verified && vouches) {
    throw new TransferError(
      `The server's confirmation for ${quote(name)} did not arrive: it may not be stored`,
    );
  }
  if (!verified && verify) {
    throw new UnverifiedError(
      `${quote(name)} was sent but not verified (the server sent no confirmation) and ` +
        "verification is required",
    );
  }
}

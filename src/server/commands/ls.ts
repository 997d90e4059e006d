/**
 * `ls [PATH]`: one frame listing a folder (the current one, or with `path` agreed the
 * one PATH names), on the data connection (or, in a dialect that lists there, the
 * control connection). Also how `list` and `tree` send theirs. A folder of many
 * thousand names is read, sorted and formatted in slices of a few milliseconds, so
 * other sessions never wait behind it, and at most two listings are made at once.
 *
 * @module
 */

import { Semaphore } from "../../common/semaphore.ts";
import { runInSlices } from "../../common/time_slice.ts";
import { listingSteps } from "../../protocol/listing.ts";
import { chunksSource, sendPayload } from "../../transport/payload_pump.ts";
import { type CommandContext, dataReply, endUnvouched, type Reply } from "../command_context.ts";

/**
 * Listings made at once. A listing of a big folder holds its names two or three times
 * over while it is made; more at once would only share the same CPU, at that cost
 * each (64 at once of 50,000 names: 1.6 GiB).
 */
const listings = new Semaphore(2);

/** Lists the folder before the port is sent, so a failure is a plain refusal. */
export async function listFolder(context: CommandContext, path?: string): Promise<Reply> {
  let chunks: Uint8Array[];
  let count: number;
  {
    using _turn = await listings.acquire();
    const listed = await context.store.list(context.target(path));
    count = listed.length;
    chunks = await runInSlices(listingSteps(listed));
  }
  return listingReply(context, chunks, { count, onControl: true });
}

/** Options for {@linkcode listingReply}. */
export interface ListingReplyOptions {
  /** How many entries the listing has, for the log. */
  count: number;
  /**
   * Whether a dialect that answers `ls` on the control connection (PROTOCOL.md §15.2)
   * gets this listing there. Default `false`: always a data connection.
   */
  onControl?: boolean;
}

/**
 * A listing, in pieces, as a data reply: one frame, then (in a dialect without
 * trailers) the end of the server's side.
 */
export function listingReply(
  context: CommandContext,
  chunks: readonly Uint8Array[],
  options: ListingReplyOptions,
): Reply {
  const bytes = chunks.reduce((total, chunk) => total + chunk.byteLength, 0);
  const outcome = { bytes, result: `ok: ${options.count} entries` };
  const reply = dataReply(async (channel, watchdog, progress) => {
    await sendPayload(channel, chunksSource(chunks), bytes, {
      onProgress: (moved) => {
        progress.bytes = moved;
        watchdog.kick();
      },
    });
    await endUnvouched(context, channel);
    return outcome;
  });
  return options.onControl ? { ...reply, listing: { chunks, outcome } } : reply;
}

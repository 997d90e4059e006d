/**
 * `ls [PATH]`: one frame listing a folder (the current one, or with `path` agreed the
 * one PATH names), on the data connection (or, in a dialect that lists there, the
 * control connection). Also how `list` and `tree` send theirs.
 *
 * @module
 */

import { formatListing } from "../../protocol/listing.ts";
import { bytesSource, sendPayload } from "../../transport/payload_pump.ts";
import { type CommandContext, dataReply, endUnvouched, type Reply } from "../command_context.ts";

const encoder = new TextEncoder();

/** Lists the folder before the port is sent, so a failure is a plain refusal. */
export async function listFolder(context: CommandContext, path?: string): Promise<Reply> {
  const entries = await context.store.list(context.target(path));
  return listingReply(context, formatListing(entries), {
    count: entries.length,
    onControl: true,
  });
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
 * A listing as a data reply: one frame, then (in a dialect without trailers) the end
 * of the server's side.
 */
export function listingReply(
  context: CommandContext,
  text: string,
  options: ListingReplyOptions,
): Reply {
  const listing = encoder.encode(text);
  const outcome = { bytes: listing.byteLength, result: `ok: ${options.count} entries` };
  const reply = dataReply(async (channel, watchdog) => {
    await sendPayload(channel, bytesSource(listing), listing.byteLength, {
      onProgress: () => watchdog.kick(),
    });
    await endUnvouched(context, channel);
    return outcome;
  });
  return options.onControl ? { ...reply, listing: { bytes: listing, outcome } } : reply;
}

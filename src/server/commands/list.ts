/**
 * `list [PATH]` and `tree [PATH]` (the `list-long` extension, PROTOCOL.md §13): a
 * folder's entries, or everything below it, each with type, size and modification
 * time, as one frame on the data connection.
 *
 * @module
 */

import { formatLongListing } from "../../protocol/long_listing.ts";
import { bytesSource, sendPayload } from "../../transport/payload_pump.ts";
import { type CommandContext, dataReply, type Reply } from "../command_context.ts";
import { listLong, tree } from "../long_listings.ts";

const encoder = new TextEncoder();

/** Lists one folder, before the port is sent, so a failure is a plain refusal. */
export async function listEntries(context: CommandContext, path?: string): Promise<Reply> {
  const entries = await listLong(context.store, context.target(path));
  return sendListing(formatLongListing(entries), entries.length);
}

/** Lists everything below a folder, before the port is sent. */
export async function listTree(context: CommandContext, path?: string): Promise<Reply> {
  const text = await tree(context.store, context.target(path));
  return sendListing(text, text.split("\n").length - 1);
}

function sendListing(text: string, count: number): Reply {
  const listing = encoder.encode(text);
  return dataReply(async (channel, watchdog) => {
    await sendPayload(channel, bytesSource(listing), listing.byteLength, {
      onProgress: () => watchdog.kick(),
    });
    return { bytes: listing.byteLength, result: `ok: ${count} entries` };
  });
}

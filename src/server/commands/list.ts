/**
 * `list [PATH]` and `tree [PATH]` (the `list-long` extension, PROTOCOL.md §13): a
 * folder's entries, or everything below it, each with type, size and modification
 * time, as one frame on the data connection (in every dialect).
 *
 * @module
 */

import { formatLongListing } from "../../protocol/long_listing.ts";
import type { CommandContext, Reply } from "../command_context.ts";
import { listLong, tree } from "../long_listings.ts";
import { listingReply } from "./ls.ts";

const encoder = new TextEncoder();

/** Lists one folder, before the port is sent, so a failure is a plain refusal. */
export async function listEntries(context: CommandContext, path?: string): Promise<Reply> {
  const entries = await listLong(context.store, context.target(path));
  return listingReply(context, [encoder.encode(formatLongListing(entries))], {
    count: entries.length,
  });
}

/** Lists everything below a folder, before the port is sent. */
export async function listTree(context: CommandContext, path?: string): Promise<Reply> {
  const text = await tree(context.store, context.target(path));
  return listingReply(context, [encoder.encode(text)], { count: text.split("\n").length - 1 });
}

/**
 * `ls [PATH]`: one frame listing a folder, on the data connection (the current one,
 * or with `path` agreed the one PATH names).
 *
 * @module
 */

import { formatListing } from "../../protocol/listing.ts";
import { bytesSource, sendPayload } from "../../transport/payload_pump.ts";
import { type CommandContext, dataReply, type Reply } from "../command_context.ts";

const encoder = new TextEncoder();

/** Lists the folder before the port is sent, so a failure is a plain refusal. */
export async function listFolder(context: CommandContext, path?: string): Promise<Reply> {
  const entries = await context.store.list(context.target(path));
  const listing = encoder.encode(formatListing(entries));
  return dataReply(async (channel, watchdog) => {
    await sendPayload(channel, bytesSource(listing), listing.byteLength, {
      onProgress: () => watchdog.kick(),
    });
    return { bytes: listing.byteLength, result: `ok: ${entries.length} entries` };
  });
}

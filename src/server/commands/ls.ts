/**
 * `ls`: one frame listing the shared folder, on the data connection.
 *
 * @module
 */

import { formatListing } from "../../protocol/listing.ts";
import { bytesSource, sendPayload } from "../../transport/payload_pump.ts";
import { type CommandContext, dataReply, type Reply } from "../command_context.ts";

const encoder = new TextEncoder();

/** Lists the folder before the port is sent, so a failure is a plain refusal. */
export async function listFolder(context: CommandContext): Promise<Reply> {
  const entries = await context.store.list();
  const listing = encoder.encode(formatListing(entries));
  return dataReply(async (channel, watchdog, progress) => {
    await sendPayload(channel, bytesSource(listing), listing.byteLength, {
      onProgress: (moved) => {
        progress.bytes = moved;
        watchdog.kick();
      },
    });
    return { bytes: listing.byteLength, result: `ok: ${entries.length} entries` };
  });
}

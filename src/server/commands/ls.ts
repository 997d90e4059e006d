/**
 * `ls`: one frame listing the shared folder, on the data connection (or, in a
 * dialect that lists there, the control connection).
 *
 * @module
 */

import { formatListing } from "../../protocol/listing.ts";
import { bytesSource, sendPayload } from "../../transport/payload_pump.ts";
import { type CommandContext, dataReply, endUnvouched, type Reply } from "../command_context.ts";

const encoder = new TextEncoder();

/** Lists the folder before the port is sent, so a failure is a plain refusal. */
export async function listFolder(context: CommandContext): Promise<Reply> {
  const entries = await context.store.list();
  const listing = encoder.encode(formatListing(entries));
  const outcome = { bytes: listing.byteLength, result: `ok: ${entries.length} entries` };
  const reply = dataReply(async (channel, watchdog) => {
    await sendPayload(channel, bytesSource(listing), listing.byteLength, {
      onProgress: () => watchdog.kick(),
    });
    await endUnvouched(context, channel);
    return outcome;
  });
  return { ...reply, listing: { bytes: listing, outcome } };
}

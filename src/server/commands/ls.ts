/**
 * `ls`: one frame listing the shared folder, on the data connection. A folder of many
 * thousand names is read, sorted and formatted in slices of a few milliseconds, so
 * other sessions never wait behind it, and at most two listings are made at once.
 *
 * @module
 */

import { Semaphore } from "../../common/semaphore.ts";
import { runInSlices } from "../../common/time_slice.ts";
import { listingSteps } from "../../protocol/listing.ts";
import { chunksSource, sendPayload } from "../../transport/payload_pump.ts";
import { type CommandContext, dataReply, type Reply } from "../command_context.ts";

/**
 * Listings made at once. A listing of a big folder holds its names two or three times
 * over while it is made; more at once would only share the same CPU, at that cost
 * each (64 at once of 50,000 names: 1.6 GiB).
 */
const listings = new Semaphore(2);

/** Lists the folder before the port is sent, so a failure is a plain refusal. */
export async function listFolder(context: CommandContext): Promise<Reply> {
  let chunks: Uint8Array[];
  let entries: number;
  {
    using _turn = await listings.acquire();
    const listed = await context.store.list();
    entries = listed.length;
    chunks = await runInSlices(listingSteps(listed));
  }
  const bytes = chunks.reduce((total, chunk) => total + chunk.byteLength, 0);
  return dataReply(async (channel, watchdog, progress) => {
    await sendPayload(channel, chunksSource(chunks), bytes, {
      onProgress: (moved) => {
        progress.bytes = moved;
        watchdog.kick();
      },
    });
    return { bytes, result: `ok: ${entries} entries` };
  });
}

/**
 * `ls`: one frame listing the shared folder, on the data connection. A folder of many
 * thousand names is read, sorted and formatted in slices of a few milliseconds, so
 * other sessions never wait behind it.
 *
 * @module
 */

import { chunksSource, sendPayload } from "../../transport/payload_pump.ts";
import { type CommandContext, dataReply, type Reply } from "../command_context.ts";

/** Lists the folder before the port is sent, so a failure is a plain refusal. */
export async function listFolder(context: CommandContext): Promise<Reply> {
  const { chunks, bytes, entries } = await context.store.listing();
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

/**
 * `get`: one frame with the file's bytes, then the `sha256` trailer frame (or, in a
 * dialect without one, the end of the server's stream). With `path` agreed, the name
 * is a path from the session's current folder.
 *
 * @module
 */

import { createDigest } from "../../common/digest.ts";
import { encodeFrame } from "../../protocol/field.ts";
import { formatTrailer } from "../../protocol/trailers.ts";
import { fileSource, sendPayload } from "../../transport/payload_pump.ts";
import { type CommandContext, dataReply, endUnvouched, type Reply } from "../command_context.ts";

/** Opens the file before the port is sent, so a missing file is a plain refusal. */
export async function getFile(context: CommandContext, name: string): Promise<Reply> {
  const { file, size } = await context.store.openForReading(context.target(name));
  return dataReply(async (channel, watchdog) => {
    const digest = await createDigest("sha256");
    await sendPayload(channel, fileSource(file), size, {
      digest,
      tail: context.dialect.vouches ? () => encodeFrame(formatTrailer(digest.hex())) : undefined,
      onProgress: () => watchdog.kick(),
    });
    await endUnvouched(context, channel);
    return { bytes: size, result: `ok: sha256 ${digest.hex()}` };
  }, () => file.close());
}

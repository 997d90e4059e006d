/**
 * `get`: the file's bytes, then the trailer that vouches for them in the session's
 * digest (`sha256`, or the one agreed: PROTOCOL.md §17), or, in a
 * dialect without one, the end of the server's stream); in a session that agreed
 * `frames`, a framed payload (PROTOCOL.md §16). With `path` agreed, the name is a path
 * from the session's current folder. The file is checked for changes while it is
 * sent: one that changed is never vouched for. A base peer is cut off before the last
 * chunk (it keeps nothing); a framed payload ends with an `error` frame that says why.
 *
 * @module
 */

import { createDigest, knownDigest } from "../../common/digest.ts";
import { ChangeWatch } from "../../common/file_snapshot.ts";
import { encodeFrame } from "../../protocol/field.ts";
import { formatTrailer, sessionDigest } from "../../protocol/trailers.ts";
import { fileSource, sendPayload } from "../../transport/payload_pump.ts";
import { type CommandContext, dataReply, endUnvouched, type Reply } from "../command_context.ts";
import { failureOf } from "../failures.ts";

/** Opens the file before the port is sent, so a missing file is a plain refusal. */
export async function getFile(context: CommandContext, name: string): Promise<Reply> {
  const target = context.target(name);
  const { file, size, snapshot } = await context.store.openForReading(target);
  const watch = new ChangeWatch(file, snapshot, target.shown);
  return dataReply(async (channel, watchdog, progress) => {
    const name = sessionDigest(context.features);
    // A file hashed before, unchanged since (by its snapshot), is only copied.
    const cached = context.digests.lookup(snapshot, name);
    const digest = cached === undefined ? await createDigest(name) : knownDigest(cached);
    await sendPayload(channel, fileSource(file), size, {
      digest,
      check: () => watch.check(),
      tail: context.dialect.vouches
        ? () => encodeFrame(formatTrailer(digest.hex(), name))
        : undefined,
      onProgress: (moved) => {
        progress.bytes = moved;
        watchdog.kick();
      },
      // Agreed only in a dialect that vouches (`dialectFeatures`): it ends in a checksum.
      framed: context.features.has("frames")
        ? { words: (error) => failureOf(error).message }
        : undefined,
    });
    // Sent whole, and the last check found it as it was opened: the digest is its.
    if (cached === undefined) context.digests.remember(snapshot, name, digest.hex());
    await endUnvouched(context, channel);
    return { bytes: size, result: `ok: ${name} ${digest.hex()}` };
  }, () => file.close());
}

/**
 * `fetch NAME` (the `inline` extension, PROTOCOL.md §18): a small file answered on
 * the control connection, `ok <digest> <hex>` with its bytes in a frame behind it,
 * so it costs no data connection. A file over the inline limit is answered
 * `ok size <N>`, and the client gets it with `get`. The file is read whole, then
 * checked for changes as a `get` checks it: one that changed is never vouched for.
 *
 * @module
 */

import { createDigest } from "../../common/digest.ts";
import { RefusalError } from "../../common/errors.ts";
import { ChangeWatch } from "../../common/file_snapshot.ts";
import { describeError, quote } from "../../common/text.ts";
import { formatInlineFile, formatTooLarge, MAX_INLINE_BYTES } from "../../protocol/inline.ts";
import { sessionDigest } from "../../protocol/trailers.ts";
import { type CommandContext, okReply, type Reply } from "../command_context.ts";

/** Reads the file `name` names whole, if it is small enough, and answers with it. */
export async function fetchFile(context: CommandContext, name: string): Promise<Reply> {
  const target = context.target(name);
  const { file, size, snapshot } = await context.store.openForReading(target);
  using _file = file;
  if (size > MAX_INLINE_BYTES) return okReply(formatTooLarge(size));
  const bytes = new Uint8Array(size);
  try {
    // Read synchronously: at most 256 KiB from the page cache, cheaper than a hop
    // through the thread pool.
    for (let filled = 0; filled < size;) {
      const read = file.readSync(bytes.subarray(filled));
      if (read === null) break; // Shrank: the check below says so.
      filled += read;
    }
  } catch (error) {
    throw new RefusalError(`Cannot read ${quote(target.shown)}: ${describeError(error)}`);
  }
  await new ChangeWatch(file, snapshot, target.shown).check();
  const digestName = sessionDigest(context.features);
  let hex = context.digests.lookup(snapshot, digestName);
  if (hex === undefined) {
    const digest = await createDigest(digestName);
    digest.update(bytes);
    hex = digest.hex();
    context.digests.remember(snapshot, digestName, hex);
  }
  const text = formatInlineFile(hex, digestName);
  return { kind: "ok", text, payload: bytes, outcome: { bytes: size, result: `ok: ${text}` } };
}

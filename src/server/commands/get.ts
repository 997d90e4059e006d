/**
 * `get` and `reget`: the file's bytes, then the trailer that vouches for them in the
 * session's digest (`sha256`, or the one agreed: PROTOCOL.md §17), or, in a dialect
 * without one, the end of the server's stream; in a session that agreed `frames`, a
 * framed payload (§16). With `path` agreed, the name is a path from the session's
 * current folder. The file is checked for changes while it is sent: one that changed
 * is never vouched for. A base peer is cut off before the last chunk (it keeps
 * nothing); a framed payload ends with an `error` frame that says why. A file hashed
 * before and unchanged since (the digest cache) is only copied.
 *
 * `reget` (§19) continues from the bytes the client holds, if they are the first bytes
 * of this very version of the file (its version and their digest, in the session's
 * digest, agree), else it starts again from byte 0; the end frame is always the digest
 * of the whole file. Hash states recorded along files as they are sent mean a resume
 * reads at most a few MiB of the prefix again, not all of it (all of it after a
 * restart, or when the whole file's digest came from the cache).
 *
 * @module
 */

import {
  createDigest,
  type Digest,
  type DigestName,
  feedDigest,
  knownDigest,
} from "../../common/digest.ts";
import { ChangeWatch, type FileSnapshot, settledKey } from "../../common/file_snapshot.ts";
import { checkpointKey } from "../../common/hash_checkpoints.ts";
import { encodeFrame } from "../../protocol/field.ts";
import { formatVersion, type RegetArguments } from "../../protocol/resume.ts";
import { formatTrailer, sessionDigest } from "../../protocol/trailers.ts";
import { fileSource, sendPayload } from "../../transport/payload_pump.ts";
import { type CommandContext, dataReply, endUnvouched, type Reply } from "../command_context.ts";
import { failureOf } from "../failures.ts";
import type { OpenedFile } from "../file_store.ts";

/**
 * Opens the file before the port is sent, so a missing file is a plain refusal.
 * `resume`: a `reget`'s word on what the client holds.
 */
export async function getFile(
  context: CommandContext,
  name: string,
  resume?: Omit<RegetArguments, "name">,
): Promise<Reply> {
  const target = context.target(name);
  const framed = context.features.has("frames");
  const opened = await context.store.openForReading(target, { framed });
  const { file, size, snapshot } = opened;
  const watch = new ChangeWatch(file, snapshot, target.shown);
  return dataReply(async (channel, watchdog, progress) => {
    const digestName = sessionDigest(context.features);
    const start = resume
      ? await startingPoint(context, opened, { ...resume, digestName })
      : undefined;
    const from = start?.offset ?? 0;
    // From the start, a file hashed before and unchanged since is only copied.
    const cached = start ? undefined : context.digests.lookup(snapshot, digestName);
    const digest = cached !== undefined ? knownDigest(cached) : context.resume.sent.track(
      stateKey(digestName, snapshot),
      start?.digest ?? await createDigest(digestName),
      from,
    );
    await sendPayload(channel, fileSource(file), size - from, {
      digest,
      offset: from,
      check: () => watch.check(),
      tail: context.dialect.vouches
        ? () => encodeFrame(formatTrailer(digest.hex(), digestName))
        : undefined,
      onProgress: (moved) => {
        progress.bytes = moved - from;
        watchdog.kick();
      },
      // Agreed only in a dialect that vouches (`dialectFeatures`): it ends in a checksum.
      framed: framed
        ? {
          words: (error) => failureOf(error).message,
          version: resume ? formatVersion(size, snapshot.mtime) : undefined,
        }
        : undefined,
    });
    // Sent whole, and the last check found it as it was opened: the digest is its (a
    // resumed one too: its prefix was hashed here, from this very file).
    if (cached === undefined) context.digests.remember(snapshot, digestName, digest.hex());
    await endUnvouched(context, channel);
    const resumed = from > 0 ? ` (resumed at ${from})` : "";
    return { bytes: size - from, result: `ok: ${digestName} ${digest.hex()}${resumed}` };
  }, () => file.close());
}

/**
 * Where hash states along the file as `snapshot` shows it are kept, for `name`: none
 * for a file written within the last tick, whose next write might not show.
 */
function stateKey(name: DigestName, snapshot: FileSnapshot): string | undefined {
  return checkpointKey(name, settledKey(snapshot));
}

/**
 * Where a `reget` continues: at the client's offset, with the digest of the bytes
 * before it, if what it holds is the first bytes of this version of the file; else
 * nowhere (it starts at 0, unhashed). The prefix is hashed from the nearest hash state
 * recorded at or before the offset; the file is left positioned where the payload
 * starts.
 */
async function startingPoint(
  context: CommandContext,
  { file, size, snapshot }: OpenedFile,
  { offset, version, digest: theirs, digestName }: Omit<RegetArguments, "name"> & {
    digestName: DigestName;
  },
): Promise<{ offset: number; digest: Digest } | undefined> {
  const sameVersion = version === undefined || version === formatVersion(size, snapshot.mtime);
  if (offset === 0 || offset > size || !sameVersion || theirs === undefined) return undefined;
  const key = stateKey(digestName, snapshot);
  const state = context.resume.sent.nearest(key, offset) ??
    { offset: 0, digest: await createDigest(digestName) };
  await file.seek(state.offset, Deno.SeekMode.Start);
  const digest = context.resume.sent.track(key, state.digest, state.offset);
  await feedDigest(file, digest, { limit: offset - state.offset });
  // A digest of another length (another digest's) cannot match: the client starts over.
  if (digest.copy().hex() === theirs) return { offset, digest: digest.copy() };
  await file.seek(0, Deno.SeekMode.Start);
  return undefined;
}

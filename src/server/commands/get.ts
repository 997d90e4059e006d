/**
 * `get` and `reget`: the file's bytes, then the `sha256` trailer that vouches for them
 * (or, in a dialect without one, the end of the server's stream); in a session that
 * agreed `frames`, a framed payload (PROTOCOL.md §16). With `path` agreed, the name is a
 * path from the session's current folder. The file is checked for changes while it is
 * sent: one that changed is never vouched for. A base peer is cut off before the last
 * chunk (it keeps nothing); a framed payload ends with an `error` frame that says why.
 *
 * `reget` (§19) continues from the bytes the client holds, if they are the first bytes
 * of this very version of the file (its version and their digest agree), else it starts
 * again from byte 0; the end frame is always the digest of the whole file. Hash states
 * recorded along files as they are sent mean a resume reads at most a few MiB of the
 * prefix again, not all of it (all of it after a restart).
 *
 * @module
 */

import { createDigest, type Digest, feedDigest } from "../../common/digest.ts";
import { ChangeWatch, snapshotKey } from "../../common/file_snapshot.ts";
import { encodeFrame } from "../../protocol/field.ts";
import { formatVersion, type RegetArguments } from "../../protocol/resume.ts";
import { formatTrailer } from "../../protocol/trailers.ts";
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
    const start = resume ? await startingPoint(context, opened, resume) : await fromStart();
    const from = start.offset;
    const digest = context.resume.sent.track(snapshotKey(snapshot), start.digest, from);
    await sendPayload(channel, fileSource(file), size - from, {
      digest,
      offset: from,
      check: () => watch.check(),
      tail: context.dialect.vouches ? () => encodeFrame(formatTrailer(digest.hex())) : undefined,
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
    await endUnvouched(context, channel);
    const resumed = from > 0 ? ` (resumed at ${from})` : "";
    return { bytes: size - from, result: `ok: sha256 ${digest.hex()}${resumed}` };
  }, () => file.close());
}

/** Where a transfer starts: byte `offset`, with the digest of the bytes before it. */
interface Start {
  offset: number;
  digest: Digest;
}

async function fromStart(): Promise<Start> {
  return { offset: 0, digest: await createDigest("sha256") };
}

/**
 * Where a `reget` starts: at the client's offset if what it holds is the first bytes
 * of this version of the file, else at 0. The prefix is hashed from the nearest hash
 * state recorded at or before the offset; the file is left positioned where the
 * payload starts.
 */
async function startingPoint(
  context: CommandContext,
  { file, size, snapshot }: OpenedFile,
  { offset, version, digest: theirs }: Omit<RegetArguments, "name">,
): Promise<Start> {
  const sameVersion = version === undefined || version === formatVersion(size, snapshot.mtime);
  if (offset === 0 || offset > size || !sameVersion || theirs === undefined) return fromStart();
  const state = context.resume.sent.nearest(snapshotKey(snapshot), offset) ?? await fromStart();
  await file.seek(state.offset, Deno.SeekMode.Start);
  const digest = context.resume.sent.track(snapshotKey(snapshot), state.digest, state.offset);
  await feedDigest(file, digest, { limit: offset - state.offset });
  if (digest.copy().hex() === theirs) return { offset, digest: digest.copy() };
  await file.seek(0, Deno.SeekMode.Start);
  return fromStart();
}

/**
 * The client's steps of a resumed transfer (PROTOCOL.md §19), between the command and
 * the bytes: for a `reget`, what to ask for from the partial file held and what to do
 * with the server's answer; for a `reput`, whether what the server holds is the start
 * of the local file. Each detects bytes of another version and starts over, with a
 * note saying so.
 *
 * @module
 */

import { createDigest, type Digest, type DigestName, feedDigest } from "../common/digest.ts";
import { ProtocolError } from "../common/errors.ts";
import { type FileSnapshot, settledKey } from "../common/file_snapshot.ts";
import { checkpointKey, HashCheckpoints } from "../common/hash_checkpoints.ts";
import { quote } from "../common/text.ts";
import type { CommandOf } from "../protocol/commands.ts";
import type { Kept } from "../protocol/resume.ts";
import type { PartialDownload } from "./partial_download.ts";
import type { Announced } from "./transfers.ts";

/** Hears a one-line note for the user: a transfer started over, and why. */
export type OnNote = (note: string) => void;

/** A `reget` planned from what the partial holds. */
export interface PlannedReget {
  command: CommandOf<"reget">;
  /** Readies the partial for what the server sends; returns the digest to go on with. */
  start(announced: Announced): Promise<Digest>;
}

/**
 * The `reget` for `wire` (the name as sent; `name` as the user sees it) from the bytes
 * `partial` holds, unless `fresh` (start from byte 0) or they are of another file.
 * `digest`: the session's (PROTOCOL.md §17), which the prefix's digest is sent in.
 */
export async function planReget(
  partial: PartialDownload,
  { wire, name, fresh, digest, onNote }: {
    wire: string;
    name: string;
    fresh: boolean;
    digest: DigestName;
    onNote?: OnNote;
  },
): Promise<PlannedReget> {
  const offset = fresh || partial.info?.remote !== wire ? 0 : partial.held;
  const prefix = offset > 0 ? await partial.digest(digest) : undefined;
  return {
    command: {
      verb: "reget",
      offset,
      version: offset > 0 ? partial.info?.version : undefined,
      digest: prefix?.copy().hex(),
      name: wire,
    },
    async start({ total, from, version }) {
      if (from !== 0 && from !== offset) {
        throw new ProtocolError(`The server resumed at byte ${from}, where ${offset} were asked`);
      }
      const info = { remote: wire, size: total, version };
      if (from > 0) {
        await partial.describe(info);
        return partial.track(prefix!, from);
      }
      if (offset > 0) {
        onNote?.(
          `The partial download of ${
            quote(name)
          } is not of the server's file as it is now; downloading it from the start`,
        );
      }
      await partial.restart(0, info);
      return partial.track(await createDigest(digest), 0);
    },
  };
}

/**
 * Where a `reput` of `file` (`size` bytes) starts, given what the server holds: its
 * end, if those bytes are the local file's first ones, else byte 0. Leaves the file
 * positioned there; the digest returned (the session's, `digest`) records hash states
 * as the rest is sent.
 */
export async function resumePoint(
  file: Deno.FsFile,
  { kept, size, name, version, digest, onNote }: {
    kept: Kept;
    size: number;
    name: string;
    /** The local file's version, from {@linkcode localVersion}. */
    version: string | undefined;
    digest: DigestName;
    onNote?: OnNote;
  },
): Promise<{ from: number; digest: Digest }> {
  const key = checkpointKey(digest, version);
  if (kept.bytes > 0 && kept.bytes <= size) {
    const state = SENT.nearest(key, kept.bytes) ??
      { offset: 0, digest: await createDigest(digest) };
    await file.seek(state.offset, Deno.SeekMode.Start);
    await feedDigest(file, state.digest, { limit: kept.bytes - state.offset });
    if (state.digest.copy().hex() === kept.digest) {
      return { from: kept.bytes, digest: SENT.track(key, state.digest, kept.bytes) };
    }
  }
  if (kept.bytes > 0) {
    onNote?.(
      `The server's partial upload of ${
        quote(name)
      } is not of this file as it is now; sending it from the start`,
    );
  }
  await file.seek(0, Deno.SeekMode.Start);
  return { from: 0, digest: SENT.track(key, await createDigest(digest)) };
}

/**
 * Hash states along the local files this process sends with `reput`, so a resume in
 * the same run hashes at most 16 MiB of the prefix again instead of all of it.
 */
const SENT = new HashCheckpoints({ maxFiles: 16 });

/**
 * One version of a local file: a hash state recorded for it holds while it is
 * unchanged. None where a change might not show (see `settledKey`): anyone may write
 * the file, unlike a partial download, which this process holds locked.
 */
export function localVersion(path: string, snapshot: FileSnapshot): string | undefined {
  const version = settledKey(snapshot);
  return version && `${path}\n${version}`;
}

/** What a cut or cancelled transfer's message says when its bytes wait to be continued. */
export function keptSentence(verb: string): string {
  return `what arrived is kept, and ${verb} again continues from it`;
}

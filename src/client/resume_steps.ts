/**
 * The client's steps of a resumed transfer (PROTOCOL.md §19), between the command and
 * the bytes: for a `reget`, what to ask for from the partial file held and what to do
 * with the server's answer; for a `reput`, whether what the server holds is the start
 * of the local file. Each detects bytes of another version and starts over, with a
 * note saying so.
 *
 * @module
 */

import { createDigest, type Digest, feedDigest } from "../common/digest.ts";
import { ProtocolError } from "../common/errors.ts";
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
 */
export async function planReget(
  partial: PartialDownload,
  { wire, name, fresh, onNote }: { wire: string; name: string; fresh: boolean; onNote?: OnNote },
): Promise<PlannedReget> {
  const offset = fresh || partial.info?.remote !== wire ? 0 : partial.held;
  const prefix = offset > 0 ? await partial.digest() : undefined;
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
        return prefix!;
      }
      if (offset > 0) {
        onNote?.(
          `The partial download of ${
            quote(name)
          } is not of the server's file as it is now; downloading it from the start`,
        );
      }
      await partial.restart(0, info);
      return await createDigest("sha256");
    },
  };
}

/**
 * Where a `reput` of `file` (`size` bytes) starts, given what the server holds: its
 * end, if those bytes are the local file's first ones, else byte 0. Leaves the file
 * positioned there.
 */
export async function resumePoint(
  file: Deno.FsFile,
  { kept, size, name, onNote }: { kept: Kept; size: number; name: string; onNote?: OnNote },
): Promise<{ from: number; digest: Digest }> {
  const digest = await createDigest("sha256");
  if (kept.bytes > 0 && kept.bytes <= size) {
    await file.seek(0, Deno.SeekMode.Start);
    await feedDigest(file, digest, { limit: kept.bytes });
    if (digest.copy().hex() === kept.digest) return { from: kept.bytes, digest };
  }
  if (kept.bytes > 0) {
    onNote?.(
      `The server's partial upload of ${
        quote(name)
      } is not of this file as it is now; sending it from the start`,
    );
  }
  await file.seek(0, Deno.SeekMode.Start);
  return { from: 0, digest: await createDigest("sha256") };
}

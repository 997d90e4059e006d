/**
 * `put` of one file, for a {@linkcode Client} (with `reput` where the session agreed
 * `resume`, PROTOCOL.md §19), and what `get` and `put` share: their options and
 * result, and what they need of the session (`downloads.ts` has `get`).
 *
 * @module
 */

import { basename } from "node:path";
import type { DigestName } from "../common/digest.ts";
import { LocalFileError } from "../common/errors.ts";
import { ChangeWatch } from "../common/file_snapshot.ts";
import { quote } from "../common/text.ts";
import type { CommandOf, Verb } from "../protocol/commands.ts";
import type { FeatureSet } from "../protocol/features.ts";
import { MAX_FIELD_VALUE } from "../protocol/field.ts";
import type { Channel } from "../transport/channel.ts";
import type { Watchdog } from "../transport/deadline.ts";
import { openLocalFile } from "./local_files.ts";
import { filePath, joinRemote, type RemotePath } from "./remote_paths.ts";
import { uploadKey } from "./resume_keys.ts";
import { localVersion, type OnNote, resumePoint } from "./resume_steps.ts";
import { receiveKept, sendFile } from "./transfers.ts";
import { checkUpload, type Expectation } from "./verdicts.ts";

/** Options for one transfer. */
export interface TransferOptions {
  /** Called as bytes move: how many so far, out of how many. */
  onProgress?: (bytes: number, total: number) => void;
  /**
   * Cancels the transfer when it aborts: only its data connection is closed, the call
   * throws `CancelledError`, and the session goes on. What arrived is kept only where
   * the session agreed `resume` (a download's partial file, an upload on the server),
   * for the same command to continue; otherwise nothing of it is kept.
   */
  signal?: AbortSignal;
  /**
   * Let the finished file take the place of an existing one, atomically (`get`: the
   * local file; `put`: the server's, which needs the `manage` extension). Default
   * `false`: an existing file is refused and left as it is.
   */
  replace?: boolean;
  /** Hears a one-line note: a resumed transfer found other bytes and started over. */
  onNote?: OnNote;
}

/** What a finished `get` or `put` moved. */
export interface TransferResult {
  /** The file's name on the server. */
  name: string;
  /** The local file written (`get`) or read (`put`). */
  path: string;
  bytes: number;
  /** The digest the session agreed (PROTOCOL.md §17): `sha256` unless another was. */
  digest: DigestName;
  /** That digest of the bytes moved, in hex. */
  hex: string;
  /** Whether the peer confirmed that digest; a base-protocol server does not. */
  verified: boolean;
  /** Where this run started: bytes moved by an earlier, interrupted one (§19); 0 if none. */
  resumedFrom?: number;
  /** Milliseconds from command to finish. */
  ms: number;
}

/** What a transfer needs of its session; a {@linkcode Client} provides it. */
export interface TransferSession {
  /** What a path the user typed names on the server. */
  remote(typed: string): Promise<RemotePath>;
  /** Throws `UnsupportedError` unless the server agreed to `feature`. */
  require(feature: string): Promise<void>;
  /** Agrees the extensions, if that was not done yet. */
  features(): Promise<FeatureSet>;
  /** The extensions agreed so far: `undefined` before the first `feat`. */
  readonly agreed: FeatureSet | undefined;
  /** The digest transfers are vouched for with (PROTOCOL.md §17): `sha256` unless agreed. */
  readonly digest: DigestName;
  /** What the session takes as the server's word on a transfer of `name`. */
  expectation(name: string): Expectation;
  /** Runs one command's transfer on its data connection; `cancel` ends it. */
  transfer<V extends Verb, T>(
    command: CommandOf<V>,
    use: (data: Channel, watchdog: Watchdog) => Promise<T>,
    cancel?: AbortSignal,
  ): Promise<T>;
  /** What `reput` keys are made from. */
  readonly secret: string;
}

/**
 * Uploads the local file `path` as `name` (default: its base name; a `name` ending
 * in `/` is a folder to put it in). The server refuses to replace an existing file
 * unless `replace`. A file that changes while it is sent fails the upload, and the
 * server keeps nothing. Where the server agrees `resume`, a new file goes up with
 * `reput`: the server keeps what arrived of a cut upload, and the same `put` again
 * continues from there if those bytes are the local file's first ones.
 */
export async function uploadFile(
  session: TransferSession,
  { path, name }: { path: string; name: string },
  options: TransferOptions = {},
): Promise<TransferResult> {
  if (name.endsWith("/")) name = joinRemote(name, basename(path));
  const wire = filePath(await session.remote(name));
  if (options.replace) await session.require("manage");
  const started = performance.now();
  using file = await openLocalFile(path);
  const watch = await ChangeWatch.start(file, path);
  const { size, mtime } = watch.before;
  // Past ten digits only a framed payload carries it: reason enough to ask for one.
  if (size > MAX_FIELD_VALUE && session.agreed === undefined) await session.features();
  const framed = agreedFrames(session);
  if (size > MAX_FIELD_VALUE && !framed) {
    throw new LocalFileError(
      `${quote(path)} is ${size} bytes, more than the ${MAX_FIELD_VALUE} a 10-digit length ` +
        `field carries, and the server does not agree framed payloads, which carry more`,
    );
  }
  const local = await Deno.realPath(path);
  const key = !options.replace && session.agreed?.has("resume")
    ? await uploadKey(session.secret, {
      remote: wire,
      local,
      size,
      mtime,
    })
    : undefined;
  const verb = options.replace ? "replace" : "put";
  const digest = session.digest;
  const { hex, verified, from } = await session.transfer(
    key ? { verb: "reput", key, name: wire } : { verb, name: wire },
    async (data, watchdog) => {
      const resume = key
        ? await resumePoint(file, {
          kept: await receiveKept(data),
          size,
          name,
          version: localVersion(local, watch.before),
          digest,
          onNote: options.onNote,
        })
        : undefined;
      const sent = await sendFile(data, file, size, {
        framed,
        digest,
        resume,
        check: () => watch.check(),
        onProgress: (bytes) => {
          watchdog.kick();
          options.onProgress?.(bytes, size);
        },
      });
      return { ...sent, from: resume?.from ?? 0 };
    },
    options.signal,
  );
  checkUpload(verified, session.expectation(name));
  return {
    name,
    path,
    bytes: size,
    digest,
    hex,
    verified,
    resumedFrom: from,
    ms: performance.now() - started,
  };
}

/** Whether payloads are framed: the session agreed `frames` (asked already, if ever). */
export function agreedFrames(session: TransferSession): boolean {
  return session.agreed?.has("frames") ?? false;
}

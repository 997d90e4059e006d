/**
 * `get` and `put` of one file, for a {@linkcode Client}: the local checks, the command
 * (`reget` and `reput` where the session agreed `resume`, PROTOCOL.md §19), the partial
 * file a download writes to, and the checks that decide whether what moved counts.
 *
 * @module
 */

import { basename } from "node:path";
import {
  CancelledError,
  LocalFileError,
  SenderStoppedError,
  TransferError,
} from "../common/errors.ts";
import { ChangeWatch } from "../common/file_snapshot.ts";
import { describeError, quote } from "../common/text.ts";
import type { CommandOf, Verb } from "../protocol/commands.ts";
import type { FeatureSet } from "../protocol/features.ts";
import { MAX_FIELD_VALUE } from "../protocol/field.ts";
import type { Channel } from "../transport/channel.ts";
import type { Watchdog } from "../transport/deadline.ts";
import type { ByteSink } from "../transport/payload_pump.ts";
import { checkNewFile, checkReplaceable, openLocalFile } from "./local_files.ts";
import { PartialDownload } from "./partial_download.ts";
import { filePath, joinRemote, type RemotePath } from "./remote_paths.ts";
import { uploadKey } from "./resume_keys.ts";
import { localVersion, type OnNote, planReget, resumePoint } from "./resume_steps.ts";
import {
  checkDownload,
  checkUpload,
  type Expectation,
  type Received,
  receiveFile,
  type ReceiveFileOptions,
  receiveKept,
  sendFile,
} from "./transfers.ts";

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
  /** SHA-256 of the bytes moved, in hex. */
  sha256: string;
  /** Whether the peer confirmed that SHA-256; a base-protocol server does not. */
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
 * Downloads `name` (a path, with the `path` extension) to the local file `path`,
 * which must not exist unless `replace`: the bytes go to a partial file beside it,
 * and appear under `path` only once whole and verified. A cut download keeps its
 * partial file; the next `get` to `path` continues from it where the server agrees
 * `resume` and the bytes are of the file as it is now, else it starts over.
 */
export async function downloadFile(
  session: TransferSession,
  { name, path }: { name: string; path: string },
  options: TransferOptions = {},
): Promise<TransferResult> {
  const wire = filePath(await session.remote(name));
  if (options.replace) await checkReplaceable(path);
  else await checkNewFile(path);
  const started = performance.now();
  await using partial = await PartialDownload.open(path).catch((error) => {
    if (error instanceof LocalFileError) throw error;
    throw cannotWrite(path, error);
  });
  // Continuing needs an extension: bytes held are reason enough to ask for one.
  if (partial.held > 0 && session.agreed === undefined) await session.features();
  const download = async (fresh: boolean) => {
    try {
      return await downloadOnce(session, partial, { wire, name, path, fresh, options });
    } catch (error) {
      // Only a cut leaves bytes worth continuing from; a cancel, where they can be continued.
      const cut = error instanceof TransferError && !(error instanceof SenderStoppedError);
      const resumable = error instanceof CancelledError && session.agreed?.has("resume");
      if (!cut && !resumable) partial.discard();
      else await partial.remember();
      throw error;
    }
  };
  let received = await download(false);
  if (received.from > 0 && received.declared !== received.sha256) {
    options.onNote?.(
      `The resumed download of ${quote(name)} did not verify; downloading it from the start`,
    );
    received = await download(true);
  }
  try {
    checkDownload(received, session.expectation(name));
  } catch (error) {
    partial.discard();
    throw error;
  }
  await partial.commit({ replace: options.replace }).catch((error) => {
    if (error instanceof Deno.errors.AlreadyExists) {
      throw new LocalFileError(`${quote(path)} appeared while downloading; it was left as it is`);
    }
    throw cannotWrite(path, error);
  });
  return {
    name,
    path,
    bytes: received.bytes,
    sha256: received.sha256,
    verified: received.declared !== undefined,
    resumedFrom: received.from,
    ms: performance.now() - started,
  };
}

/** One run of a download into `partial`: a `reget` where `resume` is agreed, else a `get`. */
async function downloadOnce(
  session: TransferSession,
  partial: PartialDownload,
  { wire, name, path, fresh, options }: {
    wire: string;
    name: string;
    path: string;
    fresh: boolean;
    options: TransferOptions;
  },
): Promise<Received & { from: number }> {
  const sink = {
    write: (chunk: Uint8Array) =>
      partial.file.write(chunk).catch((error) => Promise.reject(cannotWrite(path, error))),
  };
  if (!session.agreed?.has("resume")) {
    await partial.restart(0, { remote: wire });
    return await session.transfer(
      { verb: "get", name: wire },
      receiving(session, sink, options),
      options.signal,
    );
  }
  const reget = await planReget(partial, { wire, name, fresh, onNote: options.onNote });
  return await session.transfer(
    reget.command,
    receiving(session, sink, options, (announced) => reget.start(announced)),
    options.signal,
  );
}

/**
 * Downloads `name` into `sink` (standard output, say), which cannot be taken back: a
 * corrupt, cut-off or (with `verify`) unverified download still throws, but after its
 * bytes were written. A plain `get`: there is nothing to resume into.
 */
export async function downloadInto(
  session: TransferSession,
  { name, sink }: { name: string; sink: ByteSink },
  options: TransferOptions = {},
): Promise<TransferResult> {
  const wire = filePath(await session.remote(name));
  const started = performance.now();
  const received = await session.transfer(
    { verb: "get", name: wire },
    receiving(session, sink, options),
    options.signal,
  );
  checkDownload(received, session.expectation(name));
  const { bytes, sha256, declared } = received;
  return {
    name,
    path: "-",
    bytes,
    sha256,
    verified: declared !== undefined,
    ms: performance.now() - started,
  };
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
  const { sha256, verified, from } = await session.transfer(
    key ? { verb: "reput", key, name: wire } : { verb, name: wire },
    async (data, watchdog) => {
      const resume = key
        ? await resumePoint(file, {
          kept: await receiveKept(data),
          size,
          name,
          version: localVersion(local, watch.before),
          onNote: options.onNote,
        })
        : undefined;
      const sent = await sendFile(data, file, size, {
        framed,
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
    sha256,
    verified,
    resumedFrom: from,
    ms: performance.now() - started,
  };
}

/**
 * The work of a download's data connection: the file into `sink`, progress reported
 * (out of the size announced) and the watchdog kicked; `resume` for a `reget`.
 */
function receiving(
  session: TransferSession,
  sink: ByteSink,
  options: TransferOptions,
  resume?: ReceiveFileOptions["resume"],
): (data: Channel, watchdog: Watchdog) => Promise<Received & { from: number }> {
  let total = 0;
  return (data, watchdog) =>
    receiveFile(data, sink, {
      framed: agreedFrames(session),
      resume,
      onLength: (length) => total = length,
      onProgress: (bytes) => {
        watchdog.kick();
        options.onProgress?.(bytes, total);
      },
    });
}

/** Whether payloads are framed: the session agreed `frames` (asked already, if ever). */
function agreedFrames(session: TransferSession): boolean {
  return session.agreed?.has("frames") ?? false;
}

function cannotWrite(path: string, error: unknown): LocalFileError {
  return new LocalFileError(`Cannot write ${quote(path)}: ${describeError(error)}`, {
    cause: error,
  });
}

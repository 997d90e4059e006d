/**
 * `get` of one file, for a {@linkcode Client}: into a partial file beside the
 * destination that appears under its name only once whole and verified, continued from
 * a cut one with `reget` where the session agreed `resume` (PROTOCOL.md §19); or into a
 * sink that cannot be taken back (standard output). Both receive through one step
 * (`receiving`, then `checkDownload`), in the session's digest (§17); a small file
 * fetched inline (§18, `inline_fetch.ts`) arrives whole and is judged by that same
 * `checkDownload`.
 *
 * @module
 */

import {
  CancelledError,
  LocalFileError,
  SenderStoppedError,
  TransferError,
} from "../common/errors.ts";
import { describeError, quote } from "../common/text.ts";
import type { Channel } from "../transport/channel.ts";
import type { Watchdog } from "../transport/deadline.ts";
import type { ByteSink } from "../transport/payload_pump.ts";
import {
  agreedFrames,
  type TransferOptions,
  type TransferResult,
  type TransferSession,
} from "./file_transfers.ts";
import { checkNewFile, checkReplaceable } from "./local_files.ts";
import { PartialDownload } from "./partial_download.ts";
import { filePath } from "./remote_paths.ts";
import { keptSentence, planReget } from "./resume_steps.ts";
import { type Received, receiveFile, type ReceiveFileOptions } from "./transfers.ts";
import { checkDownload } from "./verdicts.ts";

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
      else await partial.remember(session.digest);
      // Say what became of the bytes: "Connection closed after …" alone reads as a loss.
      const size = cut ? (await partial.file.stat().catch(() => undefined))?.size : 0;
      if (size && error instanceof TransferError) error.message += keptNote(session);
      throw error;
    }
  };
  let received = await download(false);
  if (received.from > 0 && received.declared !== received.hex) {
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
    digest: received.digest,
    hex: received.hex,
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
  const reget = await planReget(partial, {
    wire,
    name,
    fresh,
    digest: session.digest,
    onNote: options.onNote,
  });
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
  const { bytes, digest, hex, declared } = received;
  return {
    name,
    path: "-",
    bytes,
    digest,
    hex,
    verified: declared !== undefined,
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
      digest: session.digest,
      resume,
      onLength: (length) => total = length,
      onProgress: (bytes) => {
        watchdog.kick();
        options.onProgress?.(bytes, total);
      },
    });
}

/**
 * What a cut download's message adds: its bytes are kept, and where the session agreed
 * `resume` (or agreed nothing yet, in plain mode) the next `get` continues from them.
 */
function keptNote(session: TransferSession): string {
  if (session.agreed?.has("resume")) return `; ${keptSentence("get")}`;
  if (session.agreed === undefined) {
    return `; ${keptSentence("get")} if the server is a ferry server`;
  }
  return "";
}

function cannotWrite(path: string, error: unknown): LocalFileError {
  return new LocalFileError(`Cannot write ${quote(path)}: ${describeError(error)}`, {
    cause: error,
  });
}

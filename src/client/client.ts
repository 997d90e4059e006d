/**
 * One session with a server, as a library: a {@linkcode Client} (made by `connect()`
 * in `connect.ts`) whose `list()`, `get()`, `put()`, `features()` and `quit()` return
 * data and throw typed errors, and whose folder commands (`cd()`, `mkdir()`,
 * `tree()`...) ask for the extension they need first. It reports progress through a
 * callback, never prints, and never decides for the caller where a download goes.
 *
 * @module
 */

import { basename } from "node:path";
import { LocalFileError, SenderStoppedError, TransferError, UsageError } from "../common/errors.ts";
import { ChangeWatch } from "../common/file_snapshot.ts";
import { describeError, quote } from "../common/text.ts";
import type { Feature } from "../protocol/features.ts";
import { Listing } from "../protocol/listing.ts";
import type { LongEntry } from "../protocol/long_listing.ts";
import { nameProblem } from "../protocol/names.ts";
import { formatFolder } from "../protocol/paths.ts";
import type { Control } from "./control.ts";
import {
  changeFolder,
  changePath,
  type FolderSession,
  hashOf,
  listedFolder,
  longListing,
  renamePath,
} from "./folder_commands.ts";
import { checkNewFile, checkReplaceable, openLocalFile } from "./local_files.ts";
import { PartialDownload } from "./partial_download.ts";
import { newResumeSecret, uploadKey } from "./resume_keys.ts";
import { type OnNote, planReget, resumePoint } from "./resume_steps.ts";
import { filePath, joinRemote, type RemotePath, remotePath } from "./remote_paths.ts";
import { type ClientSettings, Session } from "./session.ts";
import {
  checkDownload,
  checkUpload,
  type Received,
  receiveFile,
  type ReceiveFileOptions,
  receiveKept,
  sendFile,
} from "./transfers.ts";
import type { Channel } from "../transport/channel.ts";
import type { Watchdog } from "../transport/deadline.ts";
import { MAX_FIELD_VALUE } from "../protocol/field.ts";

export type { ClientSettings } from "./session.ts";

/** The extensions this client can use, offered to ferry servers that ask (PROTOCOL.md §9.3). */
export const CLIENT_FEATURES: readonly Feature[] = [
  { name: "path" },
  { name: "list-long" },
  { name: "manage" },
  { name: "hash" },
  { name: "frames" },
  { name: "resume" },
];

/** What a secure session offers besides: tokens, and tickets for data connections. */
export const SECURE_CLIENT_FEATURES: readonly Feature[] = [{ name: "auth" }, { name: "tickets" }];

/** Options for one transfer. */
export interface TransferOptions {
  /** Called as bytes move: how many so far, out of how many. */
  onProgress?: (bytes: number, total: number) => void;
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

/** One session with a server. Commands run one at a time, in order. */
export class Client extends Session {
  /** The session's current folder on the server, as the answer to `cd` gave it. */
  #cwd: string[] = [];
  /** What the folder commands use of this session. */
  #folders: FolderSession = {
    require: (feature) => this.require(feature),
    remote: (typed) => this.remote(typed),
    ask: (command) => this.ask(command),
    listing: (command) => this.listing(command),
  };

  /** What this client's `reput` keys are made from (see `resume_keys.ts`). */
  #secret: string;

  /** Wraps an open control connection; {@linkcode connect} is the usual way in. */
  constructor(control: Control, settings: ClientSettings) {
    super(control, { ...settings, features: settings.features ?? CLIENT_FEATURES });
    this.#secret = settings.resumeSecret ?? newResumeSecret();
  }

  /** The session's current folder on the server: `/` until {@linkcode cd} moves it. */
  get cwd(): string {
    return formatFolder(this.#cwd);
  }

  /**
   * What `typed` names on the server, from the current folder (or from the root if
   * it starts with `/`). Anything but a plain name needs the `path` extension.
   */
  async remote(typed: string): Promise<RemotePath> {
    const path = remotePath(this.#cwd, typed);
    if (!path.plain) await this.require("path");
    return path;
  }

  /**
   * Lists the current folder on the server, or the folder `path` names (which needs
   * the `path` extension: a base `ls` takes no argument). The entries are read from
   * the listing's text as they are iterated, so a huge listing costs about twice its
   * size, not 50 bytes an entry.
   */
  async list(path?: string): Promise<Listing> {
    if (path !== undefined) await this.require("path");
    const folder = await listedFolder(this.#folders, path);
    return new Listing(await this.listing({ verb: "ls", path: folder }));
  }

  /** Lists a folder with each entry's type, size and time (the `list-long` extension). */
  listLong(path?: string): Promise<LongEntry[]> {
    return longListing(this.#folders, { verb: "list", path });
  }

  /**
   * Lists everything below a folder, paths relative to it, a folder before what it
   * holds (`list-long`). The paths are the server's word: check them before use.
   */
  tree(path?: string): Promise<LongEntry[]> {
    return longListing(this.#folders, { verb: "tree", path });
  }

  /**
   * Moves to the folder `path` names, or with none asks which folder the session is
   * in (`path` extension); returns where the session now is.
   */
  async cd(path?: string): Promise<string> {
    this.#cwd = await changeFolder(this.#folders, { path, cwd: this.#cwd });
    return this.cwd;
  }

  /** The SHA-256 (hex) of a file on the server, worked out there (`hash` extension). */
  hash(path: string): Promise<string> {
    return hashOf(this.#folders, path);
  }

  /** Makes a folder on the server (`manage` extension). */
  mkdir(path: string): Promise<void> {
    return changePath(this.#folders, { verb: "mkdir", path });
  }

  /** Removes an empty folder on the server (`manage` extension). */
  rmdir(path: string): Promise<void> {
    return changePath(this.#folders, { verb: "rmdir", path });
  }

  /** Removes a file on the server (`manage` extension). */
  remove(path: string): Promise<void> {
    return changePath(this.#folders, { verb: "rm", path });
  }

  /**
   * Renames `from` to `to` on the server (`manage` extension); refused if `to`
   * exists, unless `replace` (then only a file replaces a file). A `to` ending in `/`
   * is a folder to move `from` into.
   */
  rename(from: string, to: string, options: { replace?: boolean } = {}): Promise<void> {
    return renamePath(this.#folders, { from, to, replace: options.replace ?? false });
  }

  /**
   * Downloads `name` (a path, with the `path` extension) to the local file `path`,
   * which must not exist unless `replace`: the bytes go to a partial file beside it,
   * and appear under `path` only once whole and verified. A cut download keeps its
   * partial file; the next `get` to `path` continues from it where the server agrees
   * `resume` and the bytes are of the file as it is now, else it starts over.
   */
  async get(name: string, path: string, options: TransferOptions = {}): Promise<TransferResult> {
    const wire = filePath(await this.remote(name));
    if (options.replace) await checkReplaceable(path);
    else await checkNewFile(path);
    const started = performance.now();
    await using partial = await PartialDownload.open(path).catch((error) => {
      if (error instanceof LocalFileError) throw error;
      throw cannotWrite(path, error);
    });
    // Continuing needs an extension: bytes held are reason enough to ask for one.
    if (partial.held > 0 && this.agreed === undefined) await this.features();
    const download = async (fresh: boolean) => {
      try {
        return await this.#download(partial, { wire, name, path, fresh, options });
      } catch (error) {
        // Only a cut leaves bytes worth continuing from.
        const cut = error instanceof TransferError && !(error instanceof SenderStoppedError);
        if (!cut) partial.discard();
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
      checkDownload(received, this.expectation(name));
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
  async #download(
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
    let total = 0;
    const receive =
      (resume?: ReceiveFileOptions["resume"]) => (data: Channel, watchdog: Watchdog) =>
        receiveFile(data, sink, {
          framed: this.#framed(),
          resume,
          onLength: (length) => total = length,
          onProgress: (bytes) => {
            watchdog.kick();
            options.onProgress?.(bytes, total);
          },
        });
    if (!this.agreed?.has("resume")) {
      await partial.restart(0, { remote: wire });
      return await this.transfer({ verb: "get", name: wire }, receive());
    }
    const reget = await planReget(partial, { wire, name, fresh, onNote: options.onNote });
    return await this.transfer(reget.command, receive((announced) => reget.start(announced)));
  }

  /**
   * Uploads the local file `path` as `name` (default: its base name; a `name` ending
   * in `/` is a folder to put it in). The server refuses to replace an existing file
   * unless `replace`. A file that changes while it is sent fails the upload, and the
   * server keeps nothing. Where the server agrees `resume`, a new file goes up with
   * `reput`: the server keeps what arrived of a cut upload, and the same `put` again
   * continues from there if those bytes are the local file's first ones.
   */
  async put(
    path: string,
    name = basename(path),
    options: TransferOptions = {},
  ): Promise<TransferResult> {
    if (name.endsWith("/")) name = joinRemote(name, basename(path));
    const wire = filePath(await this.remote(name));
    if (options.replace) await this.require("manage");
    const started = performance.now();
    using file = await openLocalFile(path);
    const watch = await ChangeWatch.start(file, path);
    const { size, mtime } = watch.before;
    // Past ten digits only a framed payload carries it: reason enough to ask for one.
    if (size > MAX_FIELD_VALUE && this.agreed === undefined) await this.features();
    const framed = this.#framed();
    if (size > MAX_FIELD_VALUE && !framed) {
      throw new LocalFileError(
        `${quote(path)} is ${size} bytes, more than the ${MAX_FIELD_VALUE} a 10-digit length ` +
          `field carries, and the server does not agree framed payloads, which carry more`,
      );
    }
    const key = !options.replace && this.agreed?.has("resume")
      ? await uploadKey(this.#secret, {
        remote: wire,
        local: await Deno.realPath(path),
        size,
        mtime,
      })
      : undefined;
    const verb = options.replace ? "replace" : "put";
    const { sha256, verified, from } = await this.transfer(
      key ? { verb: "reput", key, name: wire } : { verb, name: wire },
      async (data, watchdog) => {
        const resume = key
          ? await resumePoint(file, {
            kept: await receiveKept(data),
            size,
            name,
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
    );
    checkUpload(verified, this.expectation(name));
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

  /** Whether payloads are framed: the session agreed `frames` (asked already, if ever). */
  #framed(): boolean {
    return this.agreed?.has("frames") ?? false;
  }
}

/** Refuses, as a usage error, a name the server could never accept. */
export function checkName(name: string): void {
  const problem = nameProblem(name);
  if (problem) throw new UsageError(problem);
}

function cannotWrite(path: string, error: unknown): LocalFileError {
  return new LocalFileError(`Cannot write ${quote(path)}: ${describeError(error)}`, {
    cause: error,
  });
}

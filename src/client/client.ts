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
import { DIGEST_NAMES, type DigestName, type Vouch } from "../common/digest.ts";
import { UsageError } from "../common/errors.ts";
import { ChangeWatch } from "../common/file_snapshot.ts";
import type { Feature } from "../protocol/features.ts";
import { Listing } from "../protocol/listing.ts";
import type { LongEntry } from "../protocol/long_listing.ts";
import { nameProblem } from "../protocol/names.ts";
import { formatFolder } from "../protocol/paths.ts";
import type { ByteSink } from "../transport/payload_pump.ts";
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
import { downloadTo } from "./downloads.ts";
import { fetchFiles, type FetchOutcome, type FetchRequest } from "./inline_fetch.ts";
import { openLocalFile } from "./local_files.ts";
import { filePath, joinRemote, type RemotePath, remotePath } from "./remote_paths.ts";
import { type ClientSettings, Session } from "./session.ts";
import { checkDownload, checkUpload, type Received, receiveFile, sendFile } from "./transfers.ts";

export type { ClientSettings } from "./session.ts";

/** The extensions this client can use, offered to ferry servers that ask (PROTOCOL.md §9.3). */
export const CLIENT_FEATURES: readonly Feature[] = [
  { name: "path" },
  { name: "list-long" },
  { name: "manage" },
  { name: "hash" },
  { name: "frames" },
  { name: "digest", values: DIGEST_NAMES },
  { name: "inline" },
];

/** What a secure session offers besides: tokens, and tickets for data connections. */
export const SECURE_CLIENT_FEATURES: readonly Feature[] = [{ name: "auth" }, { name: "tickets" }];

/** Options for one transfer. */
export interface TransferOptions {
  /** Called as bytes move: how many so far, out of how many. */
  onProgress?: (bytes: number, total: number) => void;
  /**
   * Cancels the transfer when it aborts: only its data connection is closed, nothing
   * of it is kept, the call throws `CancelledError`, and the session goes on.
   */
  signal?: AbortSignal;
  /**
   * Let the finished file take the place of an existing one, atomically (`get`: the
   * local file; `put`: the server's, which needs the `manage` extension). Default
   * `false`: an existing file is refused and left as it is.
   */
  replace?: boolean;
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
    digest: () => this.digest,
  };

  /** Wraps an open control connection; {@linkcode connect} is the usual way in. */
  constructor(control: Control, settings: ClientSettings) {
    super(control, { ...settings, features: settings.features ?? CLIENT_FEATURES });
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
  async list(path?: string, options: Pick<TransferOptions, "signal"> = {}): Promise<Listing> {
    if (path !== undefined) await this.require("path");
    const folder = await listedFolder(this.#folders, path);
    return new Listing(await this.listing({ verb: "ls", path: folder }, options.signal));
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

  /**
   * The digest of a file on the server, worked out there (`hash` extension), in the
   * session's digest: compare it with {@linkcode digestOf} of the same name.
   */
  hash(path: string): Promise<Vouch> {
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
   * which must not exist unless `replace`: the bytes go to a temp file beside it, and
   * appear under `path` only once whole and verified. Temp files that killed runs
   * left in that folder are removed first.
   */
  async get(name: string, path: string, options: TransferOptions = {}): Promise<TransferResult> {
    const wire = filePath(await this.remote(name));
    const started = performance.now();
    const received = await downloadTo(path, {
      replace: options.replace,
      receive: async (sink) => {
        const received = await this.#receive(wire, sink, options);
        checkDownload(received, this.expectation(name));
        return received;
      },
    });
    return { ...resultOf(name, received), path, ms: performance.now() - started };
  }

  /**
   * Downloads `name` into `sink` (standard output, say), which cannot be taken back:
   * a corrupt, cut-off or (with `verify`) unverified download still throws, but after
   * its bytes were written.
   */
  async getInto(
    name: string,
    sink: ByteSink,
    options: TransferOptions = {},
  ): Promise<TransferResult> {
    const wire = filePath(await this.remote(name));
    const started = performance.now();
    const received = await this.#receive(wire, sink, options);
    checkDownload(received, this.expectation(name));
    return { ...resultOf(name, received), path: "-", ms: performance.now() - started };
  }

  /** A `get` of the wire path `wire` into `sink`; the caller judges what arrived. */
  async #receive(wire: string, sink: ByteSink, options: TransferOptions): Promise<Received> {
    let total = 0;
    const framed = this.#framed();
    const digest = this.digest;
    return await this.transfer(
      { verb: "get", name: wire },
      (data, watchdog) =>
        receiveFile(data, sink, {
          framed,
          digest,
          onLength: (length) => total = length,
          onProgress: (bytes) => {
            watchdog.kick();
            options.onProgress?.(bytes, total);
          },
        }),
      options.signal,
    );
  }

  /**
   * Uploads the local file `path` as `name` (default: its base name; a `name` ending
   * in `/` is a folder to put it in). The server refuses to replace an existing file
   * unless `replace`. A file that changes while it is sent fails the upload, and the
   * server keeps nothing.
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
    const { size } = watch.before;
    const framed = this.#framed();
    const digest = this.digest;
    const { hex, verified } = await this.transfer(
      { verb: options.replace ? "replace" : "put", name: wire },
      (data, watchdog) =>
        sendFile(data, file, size, {
          framed,
          digest,
          check: () => watch.check(),
          onProgress: (bytes) => {
            watchdog.kick();
            options.onProgress?.(bytes, size);
          },
        }),
      options.signal,
    );
    checkUpload(verified, this.expectation(name));
    return { name, path, bytes: size, digest, hex, verified, ms: performance.now() - started };
  }

  /**
   * Whether small files can come over the control connection: the session agreed
   * `inline` (asked already, if ever), so {@linkcode fetchMany} may be used.
   */
  get inline(): boolean {
    return this.agreed?.has("inline") ?? false;
  }

  /**
   * Downloads many small files without a data connection each (`inline`, PROTOCOL.md
   * §18), pipelined, each as atomically and as verified as a {@linkcode get}; tells
   * `onOutcome` about each in order. A file too large for it is handed back.
   */
  async fetchMany(
    requests: readonly Omit<FetchRequest, "wire">[],
    onOutcome: (index: number, outcome: FetchOutcome) => void,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    await this.require("inline");
    const wired = [];
    for (const request of requests) {
      wired.push({ ...request, wire: filePath(await this.remote(request.name)) });
    }
    const session = { digest: this.digest, pipeline: this.pipeline.bind(this) };
    await fetchFiles(session, wired, { onOutcome, signal: options.signal });
  }

  /** Whether payloads are framed: the session agreed `frames` (asked already, if ever). */
  #framed(): boolean {
    return this.agreed?.has("frames") ?? false;
  }
}

/** What a `get` moved, from what arrived. */
function resultOf(name: string, received: Received): Omit<TransferResult, "path" | "ms"> {
  const { bytes, digest, hex } = received;
  return { name, bytes, digest, hex, verified: received.declared !== undefined };
}

/** Refuses, as a usage error, a name the server could never accept. */
export function checkName(name: string): void {
  const problem = nameProblem(name);
  if (problem) throw new UsageError(problem);
}

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
import { DIGEST_NAMES, type Vouch } from "../common/digest.ts";
import { UsageError } from "../common/errors.ts";
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
import { downloadFile, downloadInto } from "./downloads.ts";
import {
  type TransferOptions,
  type TransferResult,
  type TransferSession,
  uploadFile,
} from "./file_transfers.ts";
import { fetchFiles, type FetchOutcome, type FetchRequest } from "./inline_fetch.ts";
import { newResumeSecret } from "./resume_keys.ts";
import { filePath, type RemotePath, remotePath } from "./remote_paths.ts";
import { type ClientSettings, Session } from "./session.ts";

export type { ClientSettings } from "./session.ts";
export type { TransferOptions, TransferResult } from "./file_transfers.ts";

/** The extensions this client can use, offered to ferry servers that ask (PROTOCOL.md §9.3). */
export const CLIENT_FEATURES: readonly Feature[] = [
  { name: "path" },
  { name: "list-long" },
  { name: "manage" },
  { name: "hash" },
  { name: "frames" },
  { name: "digest", values: DIGEST_NAMES },
  { name: "inline" },
  { name: "resume" },
];

/** What a secure session offers besides: tokens, and tickets for data connections. */
export const SECURE_CLIENT_FEATURES: readonly Feature[] = [{ name: "auth" }, { name: "tickets" }];

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

  /** What `get` and `put` use of this session. */
  #transfers: TransferSession;

  /** Wraps an open control connection; {@linkcode connect} is the usual way in. */
  constructor(control: Control, settings: ClientSettings) {
    super(control, { ...settings, features: settings.features ?? CLIENT_FEATURES });
    const secret = settings.resumeSecret ?? newResumeSecret();
    this.#transfers = {
      remote: (typed) => this.remote(typed),
      require: (feature) => this.require(feature),
      features: () => this.features(),
      get agreed() {
        return agreed();
      },
      get digest() {
        return digest();
      },
      expectation: (name) => this.expectation(name),
      transfer: (command, use, signal) => this.transfer(command, use, signal),
      secret,
    };
    const agreed = () => this.agreed;
    const digest = () => this.digest;
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
   * which must not exist unless `replace`: see {@linkcode downloadFile}, which also
   * says how a cut download continues.
   */
  get(name: string, path: string, options: TransferOptions = {}): Promise<TransferResult> {
    return downloadFile(this.#transfers, { name, path }, options);
  }

  /**
   * Downloads `name` into `sink` (standard output, say), which cannot be taken back:
   * a corrupt, cut-off or (with `verify`) unverified download still throws, but after
   * its bytes were written. Nothing is kept to resume: a plain `get`.
   */
  getInto(name: string, sink: ByteSink, options: TransferOptions = {}): Promise<TransferResult> {
    return downloadInto(this.#transfers, { name, sink }, options);
  }

  /**
   * Uploads the local file `path` as `name` (default: its base name; a `name` ending
   * in `/` is a folder to put it in): see {@linkcode uploadFile}.
   */
  put(path: string, name = basename(path), options: TransferOptions = {}): Promise<TransferResult> {
    return uploadFile(this.#transfers, { path, name }, options);
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
    const session = {
      digest: this.digest,
      expectation: (name: string) => this.expectation(name),
      pipeline: this.pipeline.bind(this),
    };
    await fetchFiles(session, wired, { onOutcome, signal: options.signal });
  }
}

/** Refuses, as a usage error, a name the server could never accept. */
export function checkName(name: string): void {
  const problem = nameProblem(name);
  if (problem) throw new UsageError(problem);
}

/**
 * One session with a server, as a library: a {@linkcode Client} (made by `connect()`
 * in `connect.ts`) whose `list()`, `get()`, `put()`, `features()` and `quit()` return
 * data and throw typed errors. It reports progress through a callback, never prints,
 * and never decides for the caller where a download goes.
 *
 * @module
 */

import { basename } from "node:path";
import { AtomicFile } from "../common/atomic_file.ts";
import {
  IntegrityError,
  LocalFileError,
  ProtocolError,
  RemoteError,
  TransferError,
  UnsupportedError,
  UsageError,
} from "../common/errors.ts";
import { describeError, formatAddress, quote } from "../common/text.ts";
import type { Access, CommandOf, Verb } from "../protocol/commands.ts";
import {
  acceptAnswer,
  BASE_FEATURES,
  type Feature,
  type FeatureSet,
  offerOf,
  parseOffer,
} from "../protocol/features.ts";
import { type ListingEntry, parseListing } from "../protocol/listing.ts";
import { nameProblem } from "../protocol/names.ts";
import type { Channel } from "../transport/channel.ts";
import type { ByteSink } from "../transport/payload_pump.ts";
import type { NetAddress, Transport } from "../transport/connection.ts";
import type { Watchdog } from "../transport/deadline.ts";
import type { Control } from "./control.ts";
import { runTransfer } from "./data_transfer.ts";
import { checkNewFile, downloadTempPath, openLocalFile } from "./local_files.ts";
import { receiveFile, receiveListing, sendFile } from "./transfers.ts";

/** The extensions this client can use, offered to ferry servers that ask. */
export const CLIENT_FEATURES: readonly Feature[] = [];

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
  /** Milliseconds from command to finish. */
  ms: number;
}

/** How a client reaches its server, once connected. */
export interface ClientSettings {
  transport: Transport;
  timeout: number;
  features?: readonly Feature[];
}

/** One session with a server. Commands run one at a time, in order. */
export class Client implements AsyncDisposable {
  #control: Control;
  #settings: ClientSettings;
  /** Aborts on `close()`, which ends the transfer under way. */
  #closing = new AbortController();
  #features: FeatureSet | undefined;
  /** Whether the server answered `feat`: a ferry server, which always vouches for its bytes. */
  #ferry = false;

  /** Wraps an open control connection; {@linkcode connect} is the usual way in. */
  constructor(control: Control, settings: ClientSettings) {
    this.#control = control;
    this.#settings = settings;
  }

  /** The server's address. */
  get remoteAddr(): NetAddress {
    return this.#control.remoteAddr;
  }

  /** Whether the session is over (after `quit()`, `close()` or a fatal error). */
  get closed(): boolean {
    return this.#control.closed;
  }

  /**
   * The extensions agreed with the server, asked for the first time this is called
   * (never before, so a base-protocol server never sees `feat` unless someone wants
   * to know). A server that refuses `feat` speaks the base protocol: none.
   */
  async features(): Promise<FeatureSet> {
    if (this.#features) return this.#features;
    const offered = this.#settings.features ?? CLIENT_FEATURES;
    try {
      const answer = await this.#control.request({ verb: "feat", offer: offerOf(offered) });
      this.#features = agreedFrom(answer.type === "ok" ? answer.text : "", offered);
      this.#ferry = true;
      this.#control.agree(this.#features);
    } catch (error) {
      if (error instanceof ProtocolError) this.#control.close();
      if (!(error instanceof RemoteError) || this.closed) throw error;
      this.#features = BASE_FEATURES;
    }
    return this.#features;
  }

  /** Throws {@linkcode UnsupportedError} unless the server agreed to `feature`. */
  async require(feature: string): Promise<void> {
    if ((await this.features()).has(feature)) return;
    throw new UnsupportedError(
      `The server at ${formatAddress(this.remoteAddr)} does not support ${quote(feature)}`,
    );
  }

  /**
   * Shows the server `token` (which needs the `auth` extension, agreed first) and
   * returns what it grants. A wrong token is a {@linkcode RemoteError}.
   */
  async authenticate(token: string): Promise<Access> {
    await this.require("auth");
    const answer = await this.#control.request({ verb: "auth", token });
    const access = answer.type === "ok" ? answer.text : "";
    if (access !== "read-write" && access !== "read-only") {
      this.close();
      throw new ProtocolError(`The server's answer to auth is malformed: ${quote(access)}`);
    }
    return access;
  }

  /** Lists the server's folder. */
  async list(options: Pick<TransferOptions, "signal"> = {}): Promise<ListingEntry[]> {
    const listing = await this.#transfer(
      { verb: "ls" },
      (data, watchdog) => receiveListing(data, () => watchdog.kick()),
      options.signal,
    );
    return parseListing(new TextDecoder().decode(listing));
  }

  /**
   * Downloads `name` to the local file `path`, which must not exist: the bytes go to
   * a temp file beside it, and appear under `path` only once whole and verified.
   */
  async get(name: string, path: string, options: TransferOptions = {}): Promise<TransferResult> {
    checkName(name);
    await checkNewFile(path);
    const started = performance.now();
    const cannotWrite = (error: unknown) =>
      new LocalFileError(`Cannot write ${quote(path)}: ${describeError(error)}`, { cause: error });
    await using file = await AtomicFile.create(path, downloadTempPath(path)).catch((error) => {
      throw cannotWrite(error);
    });
    const sink = {
      write: (chunk: Uint8Array) =>
        file.write(chunk).catch((error) => Promise.reject(cannotWrite(error))),
    };
    const received = await this.#receive(name, sink, options);
    await file.commit().catch((error) => {
      if (error instanceof Deno.errors.AlreadyExists) {
        throw new LocalFileError(`${quote(path)} appeared while downloading; it was left as it is`);
      }
      throw cannotWrite(error);
    });
    return { ...received, path, ms: performance.now() - started };
  }

  /**
   * Downloads `name` into `sink` (standard output, say), which cannot be taken back:
   * a corrupt or cut-off download still throws, but after its bytes were written.
   */
  async getInto(
    name: string,
    sink: ByteSink,
    options: TransferOptions = {},
  ): Promise<TransferResult> {
    checkName(name);
    const started = performance.now();
    const received = await this.#receive(name, sink, options);
    return { ...received, path: "-", ms: performance.now() - started };
  }

  /** A `get`'s bytes into `sink`, checked against the server's checksum. */
  async #receive(
    name: string,
    sink: ByteSink,
    options: TransferOptions,
  ): Promise<Omit<TransferResult, "path" | "ms">> {
    let total = 0;
    const received = await this.#transfer(
      { verb: "get", name },
      (data, watchdog) =>
        receiveFile(data, sink, (length) => total = length, (bytes) => {
          watchdog.kick();
          options.onProgress?.(bytes, total);
        }),
      options.signal,
    );
    if (received.declared === undefined && this.#ferry) {
      // A ferry server always sends its trailer: without it, the end was cut off.
      throw new TransferError(
        `The checksum of ${quote(name)} did not arrive, so the download was discarded`,
      );
    }
    if (received.declared !== undefined && received.declared !== received.sha256) {
      throw new IntegrityError(
        `Download of ${quote(name)} is corrupt: the server sent sha256 ${received.declared} ` +
          `but the bytes hash to ${received.sha256}`,
      );
    }
    const { bytes, sha256 } = received;
    return { name, bytes, sha256, verified: received.declared !== undefined };
  }

  /**
   * Uploads the local file `path` as `name` (default: its base name). The server
   * refuses to replace an existing file.
   */
  async put(
    path: string,
    name = basename(path),
    options: TransferOptions = {},
  ): Promise<TransferResult> {
    checkName(name);
    const started = performance.now();
    using file = await openLocalFile(path);
    const { size } = await file.stat();
    const { sha256, verified } = await this.#transfer(
      { verb: "put", name },
      (data, watchdog) =>
        sendFile(data, file, size, (bytes) => {
          watchdog.kick();
          options.onProgress?.(bytes, size);
        }),
      options.signal,
    );
    if (!verified && this.#ferry) {
      throw new TransferError(
        `The server's confirmation for ${quote(name)} did not arrive: it may not be stored`,
      );
    }
    return { name, path, bytes: size, sha256, verified, ms: performance.now() - started };
  }

  /** Says goodbye and closes the connection. */
  async quit(): Promise<void> {
    await this.#control.quit();
  }

  /**
   * Closes the connection without a goodbye, ending any transfer under way (which
   * then fails and leaves nothing behind). Safe to call twice.
   */
  close(): void {
    this.#closing.abort();
    this.#control.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.quit();
  }

  /** Runs one command's transfer over its data connection (see `data_transfer.ts`). */
  #transfer<V extends Verb, T>(
    command: CommandOf<V>,
    use: (data: Channel, watchdog: Watchdog) => Promise<T>,
    cancel?: AbortSignal,
  ): Promise<T> {
    const { transport, timeout } = this.#settings;
    return runTransfer(this.#control, command, use, {
      transport,
      timeout,
      cancel,
      closing: this.#closing.signal,
    });
  }
}

/** Refuses, as a usage error, a name the server could never accept. */
export function checkName(name: string): void {
  const problem = nameProblem(name);
  if (problem) throw new UsageError(problem);
}

/** The features the server's `ok` agreed to; a malformed answer breaks the protocol. */
function agreedFrom(text: string, offered: readonly Feature[]): FeatureSet {
  const answer = parseOffer(text);
  const agreed = typeof answer === "string" ? answer : acceptAnswer(answer, offered);
  if (typeof agreed === "string") {
    throw new ProtocolError(`The server's answer to feat is malformed: ${agreed}`);
  }
  return agreed;
}

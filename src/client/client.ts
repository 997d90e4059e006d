/**
 * One session with a server, as a library: a {@linkcode Client} (made by `connect()`
 * in `connect.ts`) whose `list()`, `get()`, `put()`, `features()` and `quit()` return
 * data and throw typed errors. It reports progress through a callback, never prints,
 * and never decides for the caller where a download goes.
 *
 * @module
 */

import { basename } from "node:path";
import {
  LocalFileError,
  ProtocolError,
  RemoteError,
  TransferError,
  UnsupportedError,
  UsageError,
} from "../common/errors.ts";
import { ChangeWatch, snapshotOf } from "../common/file_snapshot.ts";
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
import { encodeFrame } from "../protocol/field.ts";
import { Listing } from "../protocol/listing.ts";
import { nameProblem } from "../protocol/names.ts";
import type { Channel } from "../transport/channel.ts";
import type { NetAddress, Transport } from "../transport/connection.ts";
import { seconds, Watchdog } from "../transport/deadline.ts";
import type { Control } from "./control.ts";
import { openDataConnection } from "./data_connection.ts";
import { checkNewFile, createDownload, openLocalFile } from "./local_files.ts";
import {
  checkDownload,
  checkUpload,
  type Expectation,
  receiveFile,
  receiveListing,
  sendFile,
} from "./transfers.ts";

/** The extensions this client can use, offered to ferry servers that ask. */
export const CLIENT_FEATURES: readonly Feature[] = [{ name: "frames" }];

/** What a secure session offers besides: tokens, and tickets for data connections. */
export const SECURE_CLIENT_FEATURES: readonly Feature[] = [{ name: "auth" }, { name: "tickets" }];

/** Options for one transfer. */
export interface TransferOptions {
  /** Called as bytes move: how many so far, out of how many. */
  onProgress?: (bytes: number, total: number) => void;
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
  /**
   * Treat a transfer the server did not vouch for (a base-protocol server sends no
   * checksum) as failed, with `UnverifiedError`; a download is then not kept.
   * Default `false`: such a transfer succeeds, marked not verified.
   */
  verify?: boolean;
}

/** One session with a server. Commands run one at a time, in order. */
export class Client implements AsyncDisposable {
  #control: Control;
  #settings: ClientSettings;
  #data: Channel | undefined;
  /** Aborts on {@linkcode close}: a data connection being opened gives up at once. */
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

  /**
   * Lists the server's folder. The entries are read from the listing's text as they
   * are iterated, so a huge listing costs about twice its size, not 50 bytes an entry.
   */
  async list(): Promise<Listing> {
    const listing = await this.#transfer(
      { verb: "ls" },
      (data, watchdog) => receiveListing(data, () => watchdog.kick()),
    );
    return new Listing(new TextDecoder().decode(listing));
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
    await using file = await createDownload(path).catch((error) => {
      throw cannotWrite(error);
    });
    const sink = {
      write: (chunk: Uint8Array) =>
        file.write(chunk).catch((error) => Promise.reject(cannotWrite(error))),
    };
    let total = 0;
    const framed = this.#agreed("frames");
    const received = await this.#transfer(
      { verb: "get", name },
      (data, watchdog) =>
        receiveFile(data, sink, {
          framed,
          onLength: (length) => total = length,
          onProgress: (bytes) => {
            watchdog.kick();
            options.onProgress?.(bytes, total);
          },
        }),
    );
    checkDownload(received, this.#expectation(name));
    await file.commit().catch((error) => {
      if (error instanceof Deno.errors.AlreadyExists) {
        throw new LocalFileError(`${quote(path)} appeared while downloading; it was left as it is`);
      }
      throw cannotWrite(error);
    });
    return {
      name,
      path,
      bytes: received.bytes,
      sha256: received.sha256,
      verified: received.declared !== undefined,
      ms: performance.now() - started,
    };
  }

  /**
   * Uploads the local file `path` as `name` (default: its base name). The server
   * refuses to replace an existing file. A file that changes while it is sent fails
   * the upload, and the server keeps nothing.
   */
  async put(
    path: string,
    name = basename(path),
    options: TransferOptions = {},
  ): Promise<TransferResult> {
    checkName(name);
    const started = performance.now();
    using file = await openLocalFile(path);
    const opened = await file.stat();
    const { size } = opened;
    const watch = new ChangeWatch(file, snapshotOf(opened), path);
    const framed = this.#agreed("frames");
    const { sha256, verified } = await this.#transfer(
      { verb: "put", name },
      (data, watchdog) =>
        sendFile(data, file, size, {
          framed,
          check: () => watch.check(),
          onProgress: (bytes) => {
            watchdog.kick();
            options.onProgress?.(bytes, size);
          },
        }),
    );
    checkUpload(verified, this.#expectation(name));
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
    this.#data?.close();
    this.#control.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.quit();
  }

  /**
   * Runs one command's transfer: sends the command, opens the data connection its
   * reply names, and runs `use` on it. The watchdog ends the transfer if no byte
   * moves for the timeout.
   */
  async #transfer<V extends Verb, T>(
    command: CommandOf<V>,
    use: (data: Channel, watchdog: Watchdog) => Promise<T>,
  ): Promise<T> {
    const answer = await this.#control.request(command);
    if (answer.type !== "port") throw new TransferError("The server answered without a port");
    try {
      const { transport, timeout } = this.#settings;
      const data = await openDataConnection(answer.port, {
        transport,
        hostname: this.#control.remoteAddr.hostname,
        timeout,
        signal: this.#closing.signal,
      });
      if (this.closed) {
        // close() ran just as the data connection opened, so it could not end it.
        data.close();
        throw new TransferError("The connection to the server is closed");
      }
      this.#data = data;
      const watchdog = new Watchdog(timeout, () => data.close());
      try {
        return await watchdog.guard(
          async () => {
            // A secure server admits a data connection by the ticket it sent with the port.
            if (answer.ticket !== undefined) await data.write(encodeFrame(answer.ticket));
            return await use(data, watchdog);
          },
          () => new TransferError(`The server stalled: nothing moved for ${seconds(timeout)}`),
        );
      } finally {
        this.#data = undefined;
        data.close();
      }
    } finally {
      this.#control.endTransfer();
    }
  }

  /** What this session takes as the server's word on a transfer of `name`. */
  #expectation(name: string): Expectation {
    return { name, ferry: this.#ferry, verify: this.#settings.verify ?? false };
  }

  /** Whether the session agreed `feature` (asked of the server already, if ever). */
  #agreed(feature: string): boolean {
    return this.#features?.has(feature) ?? false;
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

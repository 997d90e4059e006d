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
import { type Dialect, FERRY_DIALECT } from "../protocol/dialects.ts";
import { encodeFrame } from "../protocol/field.ts";
import { type ListingEntry, parseListing } from "../protocol/listing.ts";
import { nameProblem } from "../protocol/names.ts";
import type { Channel } from "../transport/channel.ts";
import type { NetAddress, Transport } from "../transport/connection.ts";
import { seconds, Watchdog } from "../transport/deadline.ts";
import type { Control } from "./control.ts";
import { openDataFor } from "./data_opening.ts";
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
  /** The dialect the server speaks (PROTOCOL.md §11). Default `ferry`. */
  dialect?: Dialect;
}

/** One session with a server. Commands run one at a time, in order. */
export class Client implements AsyncDisposable {
  #control: Control;
  #settings: ClientSettings;
  #data: Channel | undefined;
  #features: FeatureSet | undefined;
  /**
   * Whether the server must vouch for its bytes: it answered `feat`, so it is a ferry
   * server, and it speaks a dialect with trailers and statuses.
   */
  #vouched = false;
  #dialect: Dialect;
  /** Aborted by `close()`, so that a data connection still being opened gives up. */
  #closing = new AbortController();

  /** Wraps an open control connection; {@linkcode connect} is the usual way in. */
  constructor(control: Control, settings: ClientSettings) {
    this.#control = control;
    this.#settings = settings;
    this.#dialect = settings.dialect ?? FERRY_DIALECT;
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
      this.#vouched = this.#dialect.vouches;
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
  async list(): Promise<ListingEntry[]> {
    const listing = this.#dialect.listing === "control"
      ? await this.#listOnControl()
      : await this.#transfer(
        { verb: "ls" },
        (data, watchdog) => receiveListing(data, () => watchdog.kick()),
      );
    return parseListing(new TextDecoder().decode(listing));
  }

  /** The listing a dialect sends as the reply itself. */
  async #listOnControl(): Promise<Uint8Array> {
    const answer = await this.#control.request({ verb: "ls" });
    if (answer.type === "listing") return answer.bytes;
    this.close(); // Another reply form: not in step any more.
    throw new ProtocolError("The server answered ls without a listing");
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
    let total = 0;
    const received = await this.#transfer(
      { verb: "get", name },
      (data, watchdog) =>
        receiveFile(data, sink, (length) => total = length, (bytes) => {
          watchdog.kick();
          options.onProgress?.(bytes, total);
        }),
    );
    if (received.declared === undefined && this.#vouched) {
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
    );
    if (!verified && this.#vouched) {
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
    const { transport, timeout } = this.#settings;
    const opened = await openDataFor(this.#control, command, {
      transport,
      timeout,
      dialect: this.#dialect,
      signal: this.#closing.signal,
    });
    const data = opened.channel;
    try {
      if (this.closed) {
        // close() ran while the data connection was being opened, so it could not end it.
        throw new TransferError("The connection to the server is closed");
      }
      this.#data = data;
      // A secure server admits a data connection by the ticket it sent with the port.
      if (opened.ticket !== undefined) await data.write(encodeFrame(opened.ticket));
      const watchdog = new Watchdog(timeout, () => data.close());
      return await watchdog.guard(
        () => use(data, watchdog),
        () => new TransferError(`The server stalled: nothing moved for ${seconds(timeout)}`),
      );
    } finally {
      this.#data = undefined;
      data.close();
      this.#control.endTransfer();
    }
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

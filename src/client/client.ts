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
  CancelledError,
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
import { encodeFrame } from "../protocol/field.ts";
import { type ListingEntry, parseListing } from "../protocol/listing.ts";
import { nameProblem } from "../protocol/names.ts";
import { Channel } from "../transport/channel.ts";
import type { ByteSink } from "../transport/payload_pump.ts";
import type { NetAddress, Transport } from "../transport/connection.ts";
import { seconds, Watchdog } from "../transport/deadline.ts";
import type { Control } from "./control.ts";
import { checkNewFile, downloadTempPath, openLocalFile } from "./local_files.ts";
import { receiveFile, receiveListing, sendFile } from "./transfers.ts";

/** How long a refused data connection is tried again (see `#openData`). */
const DATA_RETRY_MS = 3_000;

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
   * of it is kept, the call throws {@linkcode CancelledError}, and the session goes on.
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
  #data: Channel | undefined;
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
    this.#data?.close();
    this.#control.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.quit();
  }

  /**
   * Runs one command's transfer: sends the command, opens the data connection its
   * reply names, and runs `use` on it. The watchdog ends the transfer if no byte
   * moves for the timeout; `signal` ends it at once. Either way only the data
   * connection closes: the server reads that as the transfer's end and goes on to
   * the next command, so the control connection stays in step.
   */
  async #transfer<V extends Verb, T>(
    command: CommandOf<V>,
    use: (data: Channel, watchdog: Watchdog) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const what = "name" in command ? `${command.verb} ${quote(command.name)}` : command.verb;
    const cancelled = () => new CancelledError(`${what} cancelled: nothing of it was kept`);
    if (signal?.aborted) throw cancelled();
    const answer = await this.#control.request(command);
    if (answer.type !== "port") throw new TransferError("The server answered without a port");
    try {
      const data = await this.#openData(answer.port);
      if (this.closed) {
        // close() ran while the data connection was being opened, so it could not end it.
        data.close();
        throw new TransferError("The connection to the server is closed");
      }
      this.#data = data;
      // A secure server admits a data connection by the ticket it sent with the port.
      if (answer.ticket !== undefined) await data.write(encodeFrame(answer.ticket));
      const { timeout } = this.#settings;
      const watchdog = new Watchdog(timeout, () => data.close());
      const cancel = () => data.close();
      signal?.addEventListener("abort", cancel, { once: true });
      try {
        if (signal?.aborted) throw cancelled();
        return await watchdog.guard(
          () => use(data, watchdog),
          () => new TransferError(`The server stalled: nothing moved for ${seconds(timeout)}`),
        );
      } catch (error) {
        // Closing the data connection makes the transfer fail its own way: say why.
        throw signal?.aborted ? cancelled() : error;
      } finally {
        signal?.removeEventListener("abort", cancel);
        this.#data = undefined;
        data.close();
      }
    } finally {
      this.#control.endTransfer();
    }
  }

  /**
   * Connects to the data port, on the host the control connection reached. Many
   * course servers send the port before they listen on it, so a refused connection
   * is tried again for a few seconds; a correct server never sees the difference.
   */
  async #openData(port: number): Promise<Channel> {
    const hostname = this.#control.remoteAddr.hostname;
    const giveUp = performance.now() + DATA_RETRY_MS;
    for (let attempt = 0;; attempt++) {
      try {
        const connection = await this.#settings.transport.connect({ hostname, port });
        const { localAddr, remoteAddr } = connection;
        if (localAddr.port === remoteAddr.port && localAddr.hostname === remoteAddr.hostname) {
          // TCP "simultaneous open": with the server's port already closed, the OS can
          // pick that very port for us and connect the socket to itself.
          connection.close();
          throw new Error("the port was closed, and the connection looped back to itself");
        }
        return new Channel(connection);
      } catch (error) {
        const wait = Math.min(10 * 2 ** attempt, 500);
        const retry = error instanceof Deno.errors.ConnectionRefused && !this.closed &&
          performance.now() + wait < giveUp;
        if (!retry) {
          throw new TransferError(
            `Cannot open the data connection to port ${port}: ${describeError(error)}`,
            { cause: error },
          );
        }
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
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

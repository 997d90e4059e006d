/**
 * The client side of a control connection: `connect()` returns a {@linkcode Client}
 * whose `list()`, `get()`, `put()` and `quit()` return data and throw typed errors.
 * It reports progress through a callback and never prints.
 *
 * @module
 */

import { basename } from "node:path";
import { AtomicFile } from "./atomic_file.ts";
import {
  ConnectError,
  IntegrityError,
  LocalFileError,
  ProtocolError,
  RemoteError,
  TransferError,
  UsageError,
} from "./errors.ts";
import {
  type Command,
  formatCommand,
  interpretReplyField,
  type ListingEntry,
  MAX_LISTING_BYTES,
  MAX_MESSAGE_BYTES,
  nameProblem,
  parseFramedPort,
  parseListing,
  parseTrailer,
} from "./protocol.ts";
import { describeError, printable, quote } from "./text.ts";
import { seconds, Watchdog, withDeadline } from "./deadline.ts";
import { chooseDestination, downloadTempPath, openLocalFile } from "./local_files.ts";
import { sendWithStatus } from "./client_upload.ts";
import { decodeField, decodeSignedField, encodeFrame, FrameReader } from "./wire.ts";
import { closeQuietly, noDelay, receivePayload, writeOrFail } from "./data_channel.ts";

/** Options for {@linkcode connect}. */
export interface ConnectOptions {
  /** Server host name or address. Default `127.0.0.1`. */
  hostname?: string;
  /** Server control port. Default 2121. */
  port?: number;
  /**
   * Milliseconds to wait for the server to accept the connection, to answer a
   * command, or to move a byte during a transfer. Default 120 000.
   */
  timeout?: number;
  /** Gives up connecting when this aborts (Ctrl-C, say). */
  signal?: AbortSignal;
}

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

/** Reads the length field that starts a data connection's payload. */
async function readPayloadLength(reader: FrameReader): Promise<number> {
  const field = await reader.readField();
  if (field === null) throw new TransferError("The server closed the data connection early");
  return decodeField(field);
}

/** How long to wait, after a refusal, for a close that says the session is over. */
const HANG_UP_GRACE_MS = 50;

// Lenient: malformed text from a peer is shown with U+FFFD, or fails its own parser.
const lenientUtf8 = new TextDecoder();

/** Opens a control connection to a ferry (or any simple-FTP) server. */
export async function connect(options: ConnectOptions = {}): Promise<Client> {
  const hostname = options.hostname ?? "127.0.0.1";
  const port = options.port ?? 2121;
  const timeout = options.timeout ?? 120_000;
  const giveUp = new AbortController();
  const abandon = () => giveUp.abort();
  options.signal?.addEventListener("abort", abandon, { once: true });
  if (options.signal?.aborted) abandon();
  try {
    const conn = await withDeadline(
      timeout,
      () => giveUp.abort(),
      `no answer within ${seconds(timeout)}`,
      () => Deno.connect({ hostname, port, signal: giveUp.signal }),
    );
    noDelay(conn);
    return new Client(conn, timeout);
  } catch (error) {
    throw new ConnectError(
      `Cannot connect to ${hostname}:${port}: ${describeError(error)}`,
      { cause: error },
    );
  } finally {
    // Once connected, aborting `giveUp` would close the connection: let go of it.
    options.signal?.removeEventListener("abort", abandon);
  }
}

/** One control connection. Commands run one at a time, in order. */
export class Client implements AsyncDisposable {
  #conn: Deno.TcpConn;
  #reader: FrameReader;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #timeout: number;
  #data: Deno.TcpConn | undefined;
  #closed = false;

  /** Wraps an open control connection; {@linkcode connect} is the usual way in. */
  constructor(conn: Deno.TcpConn, timeout = 120_000) {
    this.#conn = conn;
    this.#timeout = timeout;
    this.#reader = new FrameReader(conn.readable, MAX_MESSAGE_BYTES);
    this.#writer = conn.writable.getWriter();
  }

  /** The server's address. */
  get remoteAddr(): Deno.NetAddr {
    return this.#conn.remoteAddr;
  }

  /** Whether the control connection is closed (after `quit()` or a fatal error). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Lists the server's folder. */
  list(): Promise<ListingEntry[]> {
    return this.#transfer({ kind: "ls" }, async (data, watchdog) => {
      const reader = new FrameReader(data.readable);
      const size = await readPayloadLength(reader);
      if (size > MAX_LISTING_BYTES) {
        throw new ProtocolError(
          `Listing of ${size} bytes exceeds the ${MAX_LISTING_BYTES}-byte limit`,
        );
      }
      const listing = new Uint8Array(size);
      let filled = 0;
      await receivePayload(reader, size, (chunk) => {
        listing.set(chunk, filled);
        filled += chunk.byteLength;
        return Promise.resolve();
      }, { onProgress: () => watchdog.kick(), hash: false });
      return parseListing(lenientUtf8.decode(listing));
    });
  }

  /**
   * Downloads `name` to `destination` (default: `name` in the current folder; a folder
   * means "into that folder"). Writes to a temp file first and never replaces a file.
   */
  async get(
    name: string,
    destination?: string,
    options: TransferOptions = {},
  ): Promise<TransferResult> {
    const problem = nameProblem(name);
    if (problem) throw new UsageError(problem);
    const path = await chooseDestination(name, destination);
    const started = performance.now();
    const cannotWrite = (error: unknown) =>
      new LocalFileError(`Cannot write ${quote(path)}: ${describeError(error)}`, { cause: error });
    await using file = await AtomicFile.create(path, downloadTempPath(path)).catch((error) => {
      throw cannotWrite(error);
    });
    const write = (chunk: Uint8Array) =>
      file.write(chunk).catch((error) => {
        throw cannotWrite(error);
      });
    const { size, sha256, declared } = await this.#transfer(
      { kind: "get", name },
      async (data, watchdog) => {
        const reader = new FrameReader(data.readable);
        const size = await readPayloadLength(reader);
        const sha256 = await receivePayload(reader, size, write, {
          onProgress: (bytes) => {
            watchdog.kick();
            options.onProgress?.(bytes, size);
          },
        });
        const trailer = await reader.readFrame(MAX_MESSAGE_BYTES);
        const declared = trailer === null ? undefined : parseTrailer(lenientUtf8.decode(trailer));
        return { size, sha256, declared };
      },
    );
    if (declared !== undefined && declared !== sha256) {
      throw new IntegrityError(
        `Download of ${
          quote(name)
        } is corrupt: the server sent sha256 ${declared} but the bytes hash to ${sha256}`,
      );
    }
    await file.commit().catch((error) => {
      if (error instanceof Deno.errors.AlreadyExists) {
        throw new LocalFileError(`${quote(path)} appeared while downloading; it was left as it is`);
      }
      throw cannotWrite(error);
    });
    const ms = performance.now() - started;
    return { name, path, bytes: size, sha256, verified: declared !== undefined, ms };
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
    const problem = nameProblem(name);
    if (problem) throw new UsageError(problem);
    const started = performance.now();
    using file = await openLocalFile(path);
    const { size } = await file.stat();
    const { sha256, verified } = await this.#transfer(
      { kind: "put", name },
      (data, watchdog) =>
        sendWithStatus(data, file, size, (bytes) => {
          watchdog.kick();
          options.onProgress?.(bytes, size);
        }),
    );
    return { name, path, bytes: size, sha256, verified, ms: performance.now() - started };
  }

  /** Says goodbye and closes the connection. */
  async quit(): Promise<void> {
    if (this.#closed) return;
    await this.#writer.write(encodeFrame(formatCommand({ kind: "quit" }))).catch(() => {});
    this.close();
  }

  /**
   * Closes the connection without a goodbye, ending any transfer under way (which
   * then fails and leaves nothing behind). Safe to call twice.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#data) closeQuietly(this.#data);
    this.#reader.releaseLock();
    this.#writer.releaseLock();
    closeQuietly(this.#conn);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.quit();
  }

  /**
   * Runs one command's transfer: sends the command, opens the data connection, and
   * runs `use` on it. The watchdog ends the transfer if no byte moves for the timeout.
   */
  async #transfer<T>(
    command: Command,
    use: (data: Deno.TcpConn, watchdog: Watchdog) => Promise<T>,
  ): Promise<T> {
    const data = await this.#command(command);
    if (this.#closed) {
      // close() ran while the data connection was being opened, so it could not end it.
      closeQuietly(data);
      throw new TransferError("The connection to the server is closed");
    }
    this.#data = data;
    const watchdog = new Watchdog(this.#timeout, () => closeQuietly(data));
    const stalled = `The server stalled: nothing moved for ${seconds(this.#timeout)}`;
    try {
      const result = await use(data, watchdog);
      // Closing the connection can make a read end quietly, as if the server had.
      if (watchdog.expired) throw new TransferError(stalled);
      return result;
    } catch (error) {
      if (!watchdog.expired || error instanceof TransferError && error.message === stalled) {
        throw error;
      }
      throw new TransferError(stalled, { cause: error });
    } finally {
      watchdog.stop();
      this.#data = undefined;
      closeQuietly(data);
    }
  }

  /** Sends a command and opens the data connection its reply names. */
  async #command(command: Command): Promise<Deno.TcpConn> {
    if (this.#closed) throw new TransferError("The connection to the server is closed");
    let port: number;
    try {
      await writeOrFail(this.#writer, encodeFrame(formatCommand(command)));
      port = await withDeadline(
        this.#timeout,
        () => this.close(),
        `The server did not answer within ${seconds(this.#timeout)}`,
        () => this.#readReply(),
      );
    } catch (error) {
      // A broken control connection cannot be resynchronised; a refusal leaves it fine.
      if (!(error instanceof RemoteError)) this.close();
      throw error;
    }
    const hostname = this.#conn.remoteAddr.hostname;
    try {
      const data = await Deno.connect({ hostname, port });
      noDelay(data);
      const { localAddr, remoteAddr } = data;
      if (localAddr.port === remoteAddr.port && localAddr.hostname === remoteAddr.hostname) {
        // TCP "simultaneous open": with the server's port already closed, the OS can
        // pick that very port for us and connect the socket to itself.
        data.close();
        throw new Error("the port was closed, and the connection looped back to itself");
      }
      return data;
    } catch (error) {
      throw new TransferError(
        `Cannot open the data connection to port ${port}: ${describeError(error)}`,
        { cause: error },
      );
    }
  }

  /**
   * Whether the server closed the connection right after a refusal, as it does when
   * it turns a session away (a limit, a timeout). Waits a moment for the close; if
   * the server is still there, the read stays pending and becomes the next reply's.
   */
  async #hungUp(): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), HANG_UP_GRACE_MS);
    });
    try {
      return await Promise.race([this.#reader.waitForData().then((alive) => !alive), grace]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #readReply(): Promise<number> {
    const field = await this.#reader.readField();
    if (field === null) throw new TransferError("The server closed the connection");
    const reply = interpretReplyField(decodeSignedField(field));
    switch (reply.kind) {
      case "port":
        return reply.port;
      case "framed-port": {
        const text = await this.#reader.readExact(reply.length);
        if (text === null) throw new TransferError("The server closed the connection");
        return parseFramedPort(lenientUtf8.decode(text));
      }
      case "refused": {
        const message = await this.#reader.readFrame(MAX_MESSAGE_BYTES);
        if (message === null) throw new TransferError("The server closed the connection");
        const reason = printable(lenientUtf8.decode(message)) || "The server refused";
        if (await this.#hungUp()) {
          this.close();
          throw new RemoteError(`The server ended the session: ${reason}`);
        }
        throw new RemoteError(reason);
      }
      case "refused-silently":
        throw new RemoteError("The server refused the command without saying why");
    }
  }
}

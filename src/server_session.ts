/**
 * One control connection, from first command to close: read a command frame, look
 * its handler up in a table, log one line, repeat. A protocol error ends only this
 * session; a refusal (`0000000000` + one message frame) lets it go on.
 *
 * @module
 */

import { ProtocolError, RefusalError, TransferError } from "./errors.ts";
import {
  type Command,
  MAX_COMMAND_BYTES,
  MAX_MESSAGE_BYTES,
  parseCommand,
  type ParsedCommand,
} from "./protocol.ts";
import { describeError } from "./text.ts";
import { encodeField, encodeFrame, FIELD_LENGTH, FrameReader } from "./wire.ts";
import {
  type Closable,
  closeAfterPeer,
  closeQuietly,
  DataListener,
  writeOrFail,
} from "./data_channel.ts";
import type { FileStore } from "./file_store.ts";
import { seconds, Watchdog, withDeadline } from "./deadline.ts";
import type { Limits } from "./limits.ts";
import { handleGet, handleList, handlePut } from "./server_commands.ts";

/** One line of the server's log: something a session did, and how it ended. */
export interface SessionEvent {
  /** The client's address, `host:port`. */
  peer: string;
  /** `connect`, `disconnect`, a command verb, or `protocol-error`/`intruder`. */
  action: string;
  /** The file name a command was about. */
  name?: string;
  /** Payload bytes moved. */
  bytes?: number;
  /** How long the command took, in milliseconds. */
  ms?: number;
  /** `ok`, or what went wrong, in one sentence. */
  result: string;
  /** For `internal-error`: the error itself, so its stack can be logged. */
  error?: unknown;
}

/** Settings every session of a server shares. */
export interface SessionOptions {
  store: FileStore;
  /** Deadlines and caps; see {@linkcode DEFAULT_LIMITS}. */
  limits: Limits;
  /** Receives one event per thing that happened. Default: discard. */
  log?: (event: SessionEvent) => void;
}

/** What a command handler reports for the log. */
export interface Outcome {
  bytes?: number;
  result: string;
}

/** A handler sees the session through this: its store, limits and data connection. */
export interface SessionContext {
  readonly store: FileStore;
  readonly limits: Limits;
  /**
   * Opens a data listener, sends its port, and runs `use` on the one connection. The
   * watchdog closes the connection if it goes {@linkcode Limits.stallTimeout} without
   * a `kick()`; the handler kicks it as bytes move.
   */
  withDataConnection<T>(use: (conn: Deno.TcpConn, watchdog: Watchdog) => Promise<T>): Promise<T>;
}

type TransferCommand = Exclude<Command, { kind: "quit" }>;
type Handler = (context: SessionContext, command: TransferCommand) => Promise<Outcome>;

const handlers: Record<TransferCommand["kind"], Handler> = {
  ls: (context) => handleList(context),
  get: (context, command) => handleGet(context, (command as { name: string }).name),
  put: (context, command) => handlePut(context, (command as { name: string }).name),
};

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * How long, after a transfer, the server waits for the client to close the data
 * connection (and, after a refused upload, discards what it still sends).
 */
export const PEER_CLOSE_GRACE_MS = 2_000;

/** Serves one control connection until the client quits or breaks the protocol. */
export async function runSession(
  conn: Deno.TcpConn,
  options: SessionOptions,
  signal?: AbortSignal,
): Promise<void> {
  if (signal?.aborted) return closeQuietly(conn); // Accepted as the server began to stop.
  const peer = formatAddress(conn.remoteAddr);
  const log = (event: Omit<SessionEvent, "peer">) => options.log?.({ peer, ...event });
  const reader = new FrameReader(conn.readable, MAX_COMMAND_BYTES);
  const writer = conn.writable.getWriter();
  const { limits } = options;
  // Every write on the control connection is bounded too: a client that never reads
  // its replies must not hold the session (and its slot) forever.
  const send = (bytes: Uint8Array) =>
    withDeadline(
      limits.commandTimeout,
      closeAll,
      `The client stopped reading replies for ${seconds(limits.commandTimeout)}`,
      () => writeOrFail(writer, bytes),
    );
  const refuse = (message: string) => send(refusal(message));
  // Everything this session has open, so that a server shutdown can end it at once.
  const open = new Set<Closable>([conn]);
  const closeAll = () => open.forEach(closeQuietly);
  /** Data connections waiting for the client to close them first. */
  const closings = new Set<Promise<void>>();
  signal?.addEventListener("abort", closeAll, { once: true });
  let portSent = false;
  const context: SessionContext = {
    store: options.store,
    limits,
    async withDataConnection(use) {
      const listener = DataListener.open({
        hostname: conn.localAddr.hostname,
        peer: conn.remoteAddr.hostname,
        acceptTimeout: limits.dataAcceptTimeout,
        onIntruder: (address) =>
          log({
            action: "intruder",
            result: `refused data connection from ${formatAddress(address)}`,
          }),
      });
      open.add(listener);
      try {
        await send(encodeField(listener.port));
        portSent = true;
        const data = await listener.accept();
        open.add(data);
        const watchdog = new Watchdog(limits.stallTimeout, () => closeQuietly(data));
        let handedOff = false;
        try {
          const result = await use(data, watchdog);
          // Let the client close first, in the background so the next command need
          // not wait: see closeAfterPeer().
          handedOff = true;
          const closing = closeAfterPeer(data, PEER_CLOSE_GRACE_MS).finally(() => {
            open.delete(data);
            closings.delete(closing);
          });
          closings.add(closing);
          return result;
        } catch (error) {
          if (!watchdog.expired) throw error;
          throw new TransferError(
            `Transfer stalled: nothing moved for ${seconds(limits.stallTimeout)}`,
            { cause: error },
          );
        } finally {
          watchdog.stop();
          if (!handedOff) {
            open.delete(data);
            closeQuietly(data);
          }
        }
      } finally {
        open.delete(listener);
        listener.close();
      }
    },
  };

  /** Runs one command; failures the client should hear about become outcomes. */
  async function execute(command: TransferCommand): Promise<Outcome> {
    portSent = false;
    try {
      return await handlers[command.kind](context, command);
    } catch (error) {
      if (signal?.aborted) throw error;
      if (error instanceof RefusalError || error instanceof TransferError) {
        if (portSent) return { result: `failed: ${error.message}` };
        await refuse(error.message);
        return { result: `refused: ${error.message}` };
      }
      // A bug. Log it plainly; the control connection is still in step, so go on.
      log({ action: "internal-error", result: describeError(error), error });
      if (!portSent) await refuse("Internal server error");
      return { result: "failed: internal server error" };
    }
  }

  log({ action: "connect", result: "ok" });
  try {
    while (true) {
      const frame = await readCommandFrame(reader, limits, (reason) => {
        // Tell a client that is still there why, then close: the pending read fails.
        refuse(reason).catch(() => {}).finally(closeAll);
      });
      if (frame === null) return log({ action: "disconnect", result: "ok" });
      const command = decodeCommand(frame);
      if (command.kind === "quit") return log({ action: "quit", result: "ok" });
      if (command.kind === "invalid") {
        await refuse(command.reason);
        log({ action: "invalid", result: `refused: ${command.reason}` });
        continue;
      }
      const started = performance.now();
      const outcome = await execute(command);
      log({
        action: command.kind,
        name: "name" in command ? command.name : undefined,
        ms: Math.round(performance.now() - started),
        ...outcome,
      });
    }
  } catch (error) {
    if (error instanceof ProtocolError) {
      log({ action: "protocol-error", result: error.message });
      await refuse(error.message).catch(() => {});
    } else if (error instanceof TransferError) {
      log({ action: "disconnect", result: error.message });
    } else if (!(error instanceof Deno.errors.BadResource)) {
      // A bug: say so plainly rather than dressing it up as the client's fault.
      log({ action: "internal-error", result: describeError(error), error });
    }
  } finally {
    signal?.removeEventListener("abort", closeAll);
    reader.releaseLock();
    writer.releaseLock();
    closeAll();
    await Promise.all(closings);
  }
}

/**
 * Reads the next command frame. Waiting for its first byte is bounded by the idle
 * timeout; once it has started, the whole frame must arrive within the command
 * timeout, so a peer trickling bytes cannot hold a session forever.
 */
async function readCommandFrame(
  reader: FrameReader,
  limits: Limits,
  expire: (reason: string) => void,
): Promise<Uint8Array | null> {
  const idle = `Closed after ${seconds(limits.idleTimeout)} without a command`;
  const waited = await withDeadline(
    limits.idleTimeout,
    () => expire(idle),
    idle,
    () => reader.waitForData(),
  );
  if (!waited) return null;
  const slow = `Command not received within ${seconds(limits.commandTimeout)}`;
  return await withDeadline(
    limits.commandTimeout,
    () => expire(slow),
    slow,
    () => reader.readFrame(MAX_COMMAND_BYTES),
  );
}

function decodeCommand(frame: Uint8Array): ParsedCommand {
  try {
    return parseCommand(utf8.decode(frame));
  } catch {
    return { kind: "invalid", reason: "Command is not valid UTF-8" };
  }
}

/**
 * Formats a refusal: the zero field, then one frame holding the message, cut to
 * {@linkcode MAX_MESSAGE_BYTES} (at a character boundary) so every client can read it.
 */
export function refusal(message: string): Uint8Array {
  const text = new Uint8Array(MAX_MESSAGE_BYTES);
  const { written } = new TextEncoder().encodeInto(message, text);
  const bytes = new Uint8Array(2 * FIELD_LENGTH + written);
  bytes.set(encodeField(0));
  bytes.set(encodeFrame(text.subarray(0, written)), FIELD_LENGTH);
  return bytes;
}

/** `host:port`, with brackets around an IPv6 host. */
export function formatAddress(address: Deno.NetAddr): string {
  const host = address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname;
  return `${host}:${address.port}`;
}

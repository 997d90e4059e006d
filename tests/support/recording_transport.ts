/**
 * Real TCP that writes down every byte: a {@linkcode Transport} for the client (or
 * the server) that records each connection's traffic in order, so a test can show
 * and check the exact bytes a dialect puts on the wire, data connections included
 * (an active server connects to a port a proxy could not see). Renders a transcript
 * in PROTOCOL.md's notation: `C→S`/`S→C` on the first (control) connection, `c→s` /
 * `s→c` on data connections.
 *
 * @module
 */

import type {
  Connection,
  ConnectOptions,
  Listener,
  NetAddress,
  Transport,
} from "../../src/transport/connection.ts";
import { tcp } from "../../src/transport/tcp.ts";
import { concat } from "./peer.ts";

/** One piece of traffic: which connection, which way, what bytes. */
export interface Recorded {
  /** 0 for the first connection (the control connection), 1, 2, ... for the rest. */
  connection: number;
  /** `out` is from the side that uses this transport. */
  direction: "out" | "in";
  /** `null`: that direction's end of stream (a FIN). */
  bytes: Uint8Array | null;
}

/** A recording transport and what it recorded. */
export interface Recording {
  transport: Transport;
  log: Recorded[];
  /**
   * Each connection's listening port: the remote one for a connection this side
   * made, the local one for a connection it accepted.
   */
  ports: number[];
  /**
   * The traffic as transcript lines, consecutive pieces of one connection and
   * direction joined; `client` says whether `out` is the client's side.
   */
  transcript(options?: { client?: boolean; maxBytes?: number }): string[];
  /** Forgets what was recorded so far (the set-up before the part to show). */
  clear(): void;
}

/** TCP, recorded. */
export function recordingTransport(): Recording {
  const log: Recorded[] = [];
  const ports: number[] = [];
  const wrap = (connection: Connection, port: number) => {
    ports.push(port);
    return record(connection, ports.length - 1, log);
  };
  const transport: Transport = {
    async connect(address: NetAddress, options?: ConnectOptions): Promise<Connection> {
      const connection = await tcp.connect(address, options);
      return wrap(connection, connection.remoteAddr.port);
    },
    listen(address: NetAddress): Listener {
      const inner = tcp.listen(address);
      return {
        get addr() {
          return inner.addr;
        },
        accept: async () => {
          const connection = await inner.accept();
          return wrap(connection, connection.localAddr.port);
        },
        close: () => inner.close(),
      };
    },
  };
  return {
    transport,
    log,
    ports,
    transcript: (options) => render(log, options),
    clear: () => log.splice(0),
  };
}

/** `connection`, with every byte it reads or writes appended to `log`. */
function record(connection: Connection, index: number, log: Recorded[]): Connection {
  const reader = connection.readable.getReader({ mode: "byob" });
  const writer = connection.writable.getWriter();
  const readable = new ReadableStream({
    type: "bytes",
    async pull(controller) {
      const request = controller.byobRequest!;
      const view = request.view!;
      const { value, done } = await reader.read(new Uint8Array(view.byteLength), { min: 1 });
      if (done || !value || value.byteLength === 0) {
        log.push({ connection: index, direction: "in", bytes: null });
        controller.close();
        request.respond(0);
        return;
      }
      log.push({ connection: index, direction: "in", bytes: value.slice() });
      new Uint8Array(view.buffer, view.byteOffset, value.byteLength).set(value);
      request.respond(value.byteLength);
    },
  });
  const writable = new WritableStream<Uint8Array>({
    async write(chunk) {
      log.push({ connection: index, direction: "out", bytes: chunk.slice() });
      await writer.write(chunk);
    },
  });
  return {
    readable,
    writable,
    localAddr: connection.localAddr,
    remoteAddr: connection.remoteAddr,
    closeWrite: () => {
      log.push({ connection: index, direction: "out", bytes: null });
      return connection.closeWrite();
    },
    close: () => connection.close(),
  };
}

function render(
  log: Recorded[],
  { client = true, maxBytes = 120 }: { client?: boolean; maxBytes?: number } = {},
): string[] {
  const lines: string[] = [];
  let last: Recorded | undefined;
  let bytes: Uint8Array[] = [];
  const arrow = (piece: Recorded) => {
    const toServer = (piece.direction === "out") === client;
    return piece.connection === 0 ? (toServer ? "C→S" : "S→C") : (toServer ? "c→s" : "s→c");
  };
  const flush = () => {
    if (last && bytes.length > 0) lines.push(`${arrow(last)}  ${show(concat(...bytes), maxBytes)}`);
    bytes = [];
  };
  for (const piece of log) {
    if (last && (piece.connection !== last.connection || piece.direction !== last.direction)) {
      flush();
    }
    last = piece;
    if (piece.bytes) {
      bytes.push(piece.bytes);
    } else {
      flush();
      lines.push(`${arrow(piece)}  <end of stream>`);
    }
  }
  flush();
  return lines;
}

/** Bytes as ASCII, `\n` for LF, `\xNN` for anything else unprintable; long runs cut. */
function show(bytes: Uint8Array, max: number): string {
  const text = [...bytes.subarray(0, max)].map((b) =>
    b === 0x0a ? "\\n" : b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16)}`
  ).join("");
  return bytes.byteLength > max ? `${text}... (${bytes.byteLength} bytes)` : text;
}

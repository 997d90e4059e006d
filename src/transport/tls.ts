/**
 * TLS as a {@linkcode Transport}. The server side is `Deno.listenTls`. The client side
 * is `node:tls`, because Deno's own TLS client can neither show the certificate it
 * received (needed to ask about a server seen for the first time) nor trust one
 * certificate alone (its `caCerts` adds to the public roots). Every connection is
 * pinned: the server's certificate must hash to the fingerprint the caller trusts,
 * checked before a byte of ours is sent.
 *
 * @module
 */

import type { TLSSocket } from "node:tls";
import {
  type Connection,
  type ConnectOptions,
  type Listener,
  type NetAddress,
  type Transport,
  unmapped,
} from "./connection.ts";
import { NodeConnection } from "./node_socket.ts";
import { readableOf } from "./tcp.ts";
import { answeredWithoutTls, answerToHello, NotTlsError, SilentPeerError } from "./tls_probe.ts";

/** The name in every ferry certificate, and the one the client asks for: reserved, never public. */
export const IDENTITY_NAME = "ferry.invalid";

/** A server's identity: its certificate and key (PEM), and the certificate's fingerprint. */
export interface TlsIdentity {
  cert: string;
  key: string;
  /** SHA-256 of the certificate (DER), lowercase hex. */
  fingerprint: string;
}

/** TLS for a server: listens with `identity`. */
export function tlsServer(identity: TlsIdentity): Transport {
  return {
    listen(address: NetAddress): Listener {
      const listener = Deno.listenTls({ ...address, cert: identity.cert, key: identity.key });
      return {
        get addr() {
          return listener.addr;
        },
        accept: async () => new TlsServerConnection(await listener.accept()),
        close: () => listener.close(),
      };
    },
    connect(): Promise<Connection> {
      return Promise.reject(new TypeError("A TLS server transport cannot connect"));
    },
  };
}

/** A `Deno.TlsConn` as a {@linkcode Connection}. */
class TlsServerConnection implements Connection {
  readonly readable: ReadableStream<Uint8Array>;
  #conn: Deno.TlsConn;

  constructor(conn: Deno.TlsConn) {
    this.#conn = conn;
    this.readable = readableOf({ read: (view) => conn.read(view).catch(explainTlsError) });
  }

  get writable(): WritableStream<Uint8Array> {
    return this.#conn.writable;
  }

  get localAddr(): NetAddress {
    return unmapped(this.#conn.localAddr);
  }

  get remoteAddr(): NetAddress {
    return unmapped(this.#conn.remoteAddr);
  }

  closeWrite(): Promise<void> {
    return this.#conn.closeWrite();
  }

  close(): void {
    this.#conn.close();
  }
}

/**
 * rustls's words for the two ways a TLS peer fails that a user can act on, in ferry's:
 * a classic client that sent no TLS at all, and a connection cut off without TLS's
 * closing message (which, for an upload, means truncation).
 */
function explainTlsError(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  if (/InvalidContentType|corrupt message|HandshakeFailure|not a TLS/i.test(message)) {
    throw new Deno.errors.InvalidData(
      "the client does not speak TLS: a classic client needs a server started with --plain",
      { cause: error },
    );
  }
  if (/close_notify|unexpected eof/i.test(message)) {
    throw new Deno.errors.UnexpectedEof("the connection was cut off", { cause: error });
  }
  throw error;
}

/**
 * Decides whether to go on with a server whose certificate has this fingerprint
 * (lowercase hex); throws to refuse. Called once per connection, after the handshake
 * and before anything is sent.
 */
export type CheckIdentity = (fingerprint: string) => void | Promise<void>;

/**
 * How long a client waits for the server's side of the handshake once the connection
 * is up: a TLS server answers at once, so silence this long is something else.
 */
export const HANDSHAKE_MS = 10_000;

/**
 * TLS for a client: every connection's server certificate goes through `check`. A
 * peer that takes the connection but answers nothing within `handshakeMs` fails with
 * {@linkcode SilentPeerError}, not after the whole connect timeout.
 */
export function tlsClient(
  check: CheckIdentity,
  { handshakeMs = HANDSHAKE_MS }: { handshakeMs?: number } = {},
): Transport {
  return {
    listen(): Listener {
      throw new TypeError("A TLS client transport cannot listen");
    },
    async connect(address: NetAddress, options: ConnectOptions = {}): Promise<Connection> {
      const socket = await handshake(address, handshakeMs, options.signal).catch(async (error) => {
        if (!answeredWithoutTls(error)) throw error;
        const answer = await answerToHello(address, options.signal);
        throw new NotTlsError(error.message, { cause: error, address, answer });
      });
      try {
        await check(fingerprintOf(socket));
      } catch (error) {
        socket.destroy();
        throw error;
      }
      return new NodeConnection(socket);
    },
  };
}

async function handshake(
  address: NetAddress,
  handshakeMs: number,
  signal?: AbortSignal,
): Promise<TLSSocket> {
  const tls = await import("node:tls");
  signal?.throwIfAborted();
  return await new Promise<TLSSocket>((resolve, reject) => {
    const socket = tls.connect({
      host: address.hostname,
      port: address.port,
      servername: IDENTITY_NAME,
      // The certificate is self-signed by design; `check` decides on its fingerprint.
      rejectUnauthorized: false,
    });
    const abort = () => socket.destroy(new DOMException("Connecting was aborted", "AbortError"));
    signal?.addEventListener("abort", abort, { once: true });
    let silence: ReturnType<typeof setTimeout> | undefined;
    socket.once("connect", () => {
      silence = setTimeout(() => socket.destroy(new SilentPeerError(handshakeMs)), handshakeMs);
    });
    const settle = () => {
      clearTimeout(silence);
      signal?.removeEventListener("abort", abort);
    };
    socket.once("secureConnect", () => {
      settle();
      socket.removeListener("error", fail);
      socket.setNoDelay(true);
      resolve(socket);
    });
    const fail = (error: Error) => {
      settle();
      socket.destroy();
      reject(error);
    };
    socket.once("error", fail);
  });
}

/** The server certificate's SHA-256, lowercase hex without colons. */
function fingerprintOf(socket: TLSSocket): string {
  const fingerprint = socket.getPeerCertificate().fingerprint256;
  if (!fingerprint) throw new Error("the server sent no certificate");
  return fingerprint.replaceAll(":", "").toLowerCase();
}

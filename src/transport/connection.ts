/**
 * The seam between ferry and the network: a {@linkcode Transport} listens and
 * connects, and hands out {@linkcode Connection}s. TCP implements it here
 * (`tcp.ts`); TLS implements the same three interfaces, so nothing above this folder
 * knows which one it is talking over.
 *
 * @module
 */

/** A host and port, as `Deno.NetAddr` has them. */
export interface NetAddress {
  readonly hostname: string;
  readonly port: number;
}

/** One open connection: a byte stream each way. */
export interface Connection {
  /**
   * A byte stream (read it with a BYOB reader). Reaching its end does not close the
   * connection: a side may still write after its peer has half-closed.
   */
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  readonly localAddr: NetAddress;
  readonly remoteAddr: NetAddress;
  /** Ends the sending side; the peer reads an end of stream. */
  closeWrite(): Promise<void>;
  /** Closes both sides; pending reads and writes fail. Throws if already closed. */
  close(): void;
}

/** A listening socket. */
export interface Listener {
  readonly addr: NetAddress;
  /** The next connection; rejects once {@linkcode close} has been called. */
  accept(): Promise<Connection>;
  close(): void;
}

/** Options for {@linkcode Transport.connect}. */
export interface ConnectOptions {
  /** Gives up connecting when this aborts. */
  signal?: AbortSignal;
}

/** A way to reach peers: plain TCP, or TLS. */
export interface Transport {
  /** Starts listening; `port` 0 lets the OS choose. */
  listen(address: NetAddress): Listener;
  /** Connects to a listening peer. */
  connect(address: NetAddress, options?: ConnectOptions): Promise<Connection>;
}

/**
 * An address as a person writes it: an IPv4 peer of a dual-stack socket shows up as
 * `::ffff:127.0.0.1`, which is `127.0.0.1` (so logs, per-address limits and the data
 * listener's address read the same whichever socket took the connection).
 */
export function unmapped(address: NetAddress): NetAddress {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address.hostname);
  return v4 ? { hostname: v4[1], port: address.port } : address;
}

/** Anything with a `close()`: connections, listeners, files. */
export interface Closable {
  close(): void;
}

/** Closes a resource that may already be closed by the peer or a shutdown. */
export function closeQuietly(resource: Closable): void {
  try {
    resource.close();
  } catch {
    // Already closed.
  }
}

/**
 * A session's data connections: open a one-shot listener, send its port and accept
 * the client's connection (passive), or connect to the port the client listens on
 * (active, PROTOCOL.md §15); then run the command's transfer on it under a stall
 * watchdog, and let the client close first (in the background, so the next command
 * need not wait).
 *
 * @module
 */

import { RefusalError, TransferError } from "../common/errors.ts";
import { decodeField, FIELD_LENGTH } from "../protocol/field.ts";
import { sameSecret } from "./access.ts";
import { describeError, formatAddress } from "../common/text.ts";
import { Channel } from "../transport/channel.ts";
import type { Closable, NetAddress, Transport } from "../transport/connection.ts";
import { connectData } from "../transport/data_connect.ts";
import { DataListener } from "../transport/data_listener.ts";
import { seconds, Watchdog, withDeadline } from "../transport/deadline.ts";
import { type Limits, PEER_CLOSE_GRACE_MS } from "./limits.ts";

/**
 * The lowest port an active server connects to: below it are the well-known
 * services (ssh, mail, the web), which a client must not make the server talk to.
 */
export const MIN_CLIENT_PORT = 1024;

/** How a command's data connection is opened. */
export type DataOpening =
  /** Listen, have `sendPort` tell the client the port (with `ticket`, if any), accept. */
  | { by: "server"; sendPort: (port: number) => Promise<void>; ticket?: string }
  /** Connect to `port` on the client's address, then say so with `connected`. */
  | { by: "client"; port: number; connected: () => void };

/** A ticket is 32 hex digits; a longer first frame is not one. */
const MAX_TICKET_BYTES = 64;

/** How long a data connection has to send its ticket. */
const TICKET_TIMEOUT_MS = 10_000;

/**
 * Whether the connection's first frame is `ticket`. Reads exactly that frame, so the
 * payload behind it stays for the transfer.
 */
async function hasTicket(channel: Channel, ticket: string): Promise<boolean> {
  const field = await channel.readExactly(FIELD_LENGTH);
  if (field === null) return false;
  const length = decodeField(field);
  if (length > MAX_TICKET_BYTES) return false;
  const given = await channel.readExactly(length);
  return given !== null && await sameSecret(new TextDecoder().decode(given), ticket);
}

/** A one-time ticket binding a data connection to its session (PROTOCOL.md §10.3). */
export function newTicket(): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(16)),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}

/** What a session's data connections need to know. */
export interface DataConnectionOptions {
  transport: Transport;
  /** The control connection's local address (the listener binds there) and peer. */
  local: NetAddress;
  peer: NetAddress;
  limits: Limits;
  /** Told about each connection from an address other than the peer's. */
  onIntruder(address: string): void;
}

/** The data connections of one session. */
export class DataConnections {
  #options: DataConnectionOptions;
  /** Everything open now, so that a shutdown can end it at once. */
  #open = new Set<Closable>();
  /** Connections waiting for the client to close them first. */
  #closings = new Set<Promise<void>>();
  /** Set by {@linkcode closeAll}: anything opened after it is closed at once. */
  #closedAll = false;

  constructor(options: DataConnectionOptions) {
    this.#options = options;
  }

  /**
   * Opens the data connection the way `opening` says, and runs `use` on it. The
   * watchdog closes it if it goes {@linkcode Limits.stallTimeout} without a `kick()`;
   * `use` kicks it as bytes move.
   */
  async run<T>(
    opening: DataOpening,
    use: (channel: Channel, watchdog: Watchdog) => Promise<T>,
  ): Promise<T> {
    const { stallTimeout } = this.#options.limits;
    let channel: Channel | undefined = opening.by === "server"
      ? await this.#accept(opening.sendPort, opening.ticket)
      : await this.#connect(opening.port, opening.connected);
    this.#open.add(channel);
    // A shutdown while it opened found nothing to close: close it now.
    if (this.#closedAll) channel.close();
    try {
      const data = channel;
      const watchdog = new Watchdog(stallTimeout, () => data.close());
      const result = await watchdog.guard(
        () => use(data, watchdog),
        () => new TransferError(`Transfer stalled: nothing moved for ${seconds(stallTimeout)}`),
      );
      this.#closeAfterPeer(channel);
      channel = undefined;
      return result;
    } finally {
      if (channel) this.#close(channel);
    }
  }

  /** Listens, sends the port, and accepts the client's (admitted) connection. */
  async #accept(sendPort: (port: number) => Promise<void>, ticket?: string): Promise<Channel> {
    const { transport, local, peer, limits } = this.#options;
    const listener = DataListener.open(transport, {
      hostname: local.hostname,
      peer: peer.hostname,
      acceptTimeout: limits.dataAcceptTimeout,
      admit: ticket === undefined ? undefined : (channel) =>
        withDeadline(
          TICKET_TIMEOUT_MS,
          () => channel.close(),
          () => new TransferError("No ticket arrived"),
          () => hasTicket(channel, ticket),
        ),
      onIntruder: (address) => this.#options.onIntruder(formatAddress(address)),
    });
    this.#open.add(listener);
    try {
      if (this.#closedAll) listener.close();
      await sendPort(listener.port);
      return await listener.accept();
    } finally {
      this.#close(listener);
    }
  }

  /**
   * Connects to the client's data port, only ever on the control connection's peer
   * address and never below {@linkcode MIN_CLIENT_PORT}, within the accept deadline.
   * Until it connects nothing was said, so every failure is a refusal.
   */
  async #connect(port: number, connected: () => void): Promise<Channel> {
    const { transport, peer, limits } = this.#options;
    if (port < MIN_CLIENT_PORT) {
      throw new RefusalError(
        `Data port ${port} is below ${MIN_CLIENT_PORT}: this server connects only to ports ${MIN_CLIENT_PORT} to 65535`,
      );
    }
    const address = { hostname: peer.hostname, port };
    const cannot = `Cannot connect to the data port ${formatAddress(address)}`;
    const abort = new AbortController();
    const attempt = { close: () => abort.abort() };
    // A Watchdog never kicked is a plain deadline, and knows "no limit" from a long one.
    using _deadline = new Watchdog(limits.dataAcceptTimeout, () => {
      const waited = seconds(limits.dataAcceptTimeout);
      abort.abort(new RefusalError(`${cannot}: no answer within ${waited}`));
    });
    this.#open.add(attempt);
    if (this.#closedAll) abort.abort();
    try {
      const connection = await connectData(transport, address, { signal: abort.signal });
      connected();
      return new Channel(connection);
    } catch (error) {
      if (abort.signal.reason instanceof RefusalError) throw abort.signal.reason;
      throw new RefusalError(`${cannot}: ${describeError(error)}`, { cause: error });
    } finally {
      this.#open.delete(attempt);
    }
  }

  /** Closes every data connection and listener (a shutdown), and any opened later. */
  closeAll(): void {
    this.#closedAll = true;
    for (const resource of this.#open) resource.close();
  }

  /** Settles when every connection closing in the background has closed. */
  async settled(): Promise<void> {
    await Promise.all(this.#closings);
  }

  #closeAfterPeer(channel: Channel): void {
    const closing = channel.closeAfterPeer(PEER_CLOSE_GRACE_MS).finally(() => {
      this.#open.delete(channel);
      this.#closings.delete(closing);
    });
    this.#closings.add(closing);
  }

  #close(resource: Closable): void {
    this.#open.delete(resource);
    resource.close();
  }
}

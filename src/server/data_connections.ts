/**
 * A session's data connections: open a one-shot listener, send its port, accept the
 * client's connection, run the command's transfer on it under a stall watchdog, then
 * let the client close first (in the background, so the next command need not wait).
 *
 * @module
 */

import { TransferError } from "../common/errors.ts";
import { decodeField, FIELD_LENGTH } from "../protocol/field.ts";
import { sameSecret } from "./access.ts";
import { formatAddress } from "../common/text.ts";
import type { Channel } from "../transport/channel.ts";
import type { Closable, NetAddress, Transport } from "../transport/connection.ts";
import { DataListener } from "../transport/data_listener.ts";
import { seconds, Watchdog, withDeadline } from "../transport/deadline.ts";
import { type Limits, PEER_CLOSE_GRACE_MS } from "./limits.ts";

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
   * Opens a listener, has `sendPort` tell the client its port, and runs `use` on the
   * one connection that arrives. The watchdog closes it if it goes
   * {@linkcode Limits.stallTimeout} without a `kick()`; `use` kicks it as bytes move.
   */
  async run<T>(
    sendPort: (port: number) => Promise<void>,
    use: (channel: Channel, watchdog: Watchdog) => Promise<T>,
    ticket?: string,
  ): Promise<T> {
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
    let channel: Channel | undefined;
    try {
      if (this.#closedAll) listener.close();
      await sendPort(listener.port);
      channel = await listener.accept();
      this.#open.add(channel);
      // A shutdown between the accept and here found nothing to close: close it now.
      if (this.#closedAll) channel.close();
      const data = channel;
      const watchdog = new Watchdog(limits.stallTimeout, () => data.close());
      const result = await watchdog.guard(
        () => use(data, watchdog),
        () =>
          new TransferError(`Transfer stalled: nothing moved for ${seconds(limits.stallTimeout)}`),
      );
      this.#closeAfterPeer(channel);
      channel = undefined;
      return result;
    } finally {
      if (channel) this.#close(channel);
      this.#close(listener);
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

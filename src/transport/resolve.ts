/**
 * From a host name to the addresses to try, and trying them in turn: a name can
 * stand for an IPv6 and an IPv4 address, and a server may listen on only one of them.
 *
 * @module
 */

import { describeError, formatAddress, quote } from "../common/text.ts";
import type { Connection, ConnectOptions, NetAddress, Transport } from "./connection.ts";

/** Turns a host name into the addresses it stands for, in the order to try them. */
export type Resolver = (hostname: string) => Promise<string[]>;

/** Why no address could be had for a name, in ferry's words. */
export class ResolveError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ResolveError";
  }
}

/**
 * The system's resolver (`getaddrinfo`, so `/etc/hosts` counts), every address it
 * gives. `localhost` always means both loopback addresses, as RFC 6761 has it and as
 * curl and browsers do, whatever the hosts file says; an address is itself.
 */
export async function systemResolver(hostname: string): Promise<string[]> {
  // Loaded here, not at the top: node's net and dns modules cost `ferry serve` and a
  // connect to an address a third of their start-up time, and neither needs them.
  const { isIP } = await import("node:net");
  const literal = hostname.replace(/^\[(.*)\]$/, "$1");
  if (isIP(literal)) return [literal];
  if (/(^|\.)localhost\.?$/i.test(hostname)) return ["::1", "127.0.0.1"];
  const { lookup } = await import("node:dns/promises");
  try {
    const found = await lookup(hostname, { all: true, verbatim: true });
    return found.map((entry) => entry.address);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why = code === "ENOTFOUND" ? "no such host" : "cannot look up the host";
    throw new ResolveError(`${why} ${quote(hostname)}`, { cause: error });
  }
}

/**
 * Connects to the first of `hostname`'s addresses that answers. Fails with the last
 * address's reason, naming every address tried when there were several.
 */
export async function connectAny(
  transport: Transport,
  address: NetAddress,
  options: ConnectOptions & { resolve?: Resolver } = {},
): Promise<Connection> {
  const addresses = await (options.resolve ?? systemResolver)(address.hostname);
  if (addresses.length === 0) throw new ResolveError("the name has no address");
  const failures: unknown[] = [];
  for (const hostname of addresses) {
    if (options.signal?.aborted) break;
    try {
      return await transport.connect({ hostname, port: address.port }, options);
    } catch (error) {
      failures.push(error);
    }
  }
  const last = failures.at(-1) ?? new Error("Cancelled");
  if (addresses.length === 1) throw last;
  const tried = addresses.map((hostname) => formatAddress({ hostname, port: address.port }));
  throw new Error(`${describeError(last)} (tried ${tried.join(", ")})`, { cause: last });
}

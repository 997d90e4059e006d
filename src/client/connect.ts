/**
 * `connect()`: open a control connection to a ferry (or any simple-FTP) server, and
 * get a {@linkcode Client} for it.
 *
 * @module
 */

import { ConnectError, NotFerryError, TrustError } from "../common/errors.ts";
import { describeError, formatAddress } from "../common/text.ts";
import type { Dialect } from "../protocol/dialects.ts";
import { BASE_DIGEST, type DigestName } from "../common/digest.ts";
import type { Feature } from "../protocol/features.ts";
import type { NetAddress, Transport } from "../transport/connection.ts";
import { seconds, withDeadline } from "../transport/deadline.ts";
import { connectAny, type Resolver } from "../transport/resolve.ts";
import { tcp } from "../transport/tcp.ts";
import { type CheckIdentity, tlsClient } from "../transport/tls.ts";
import { NotTlsError, SilentPeerError } from "../transport/tls_probe.ts";
import { Client, CLIENT_FEATURES, SECURE_CLIENT_FEATURES } from "./client.ts";
import { Control } from "./control.ts";
import { FirstBytes } from "./stranger.ts";

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
  /**
   * Encrypt every connection (TLS) and authenticate. Default: the classic protocol,
   * in the clear, for base-protocol servers and `ferry serve --plain`.
   */
  secure?: SecureConnectOptions;
  /**
   * The classic protocol's dialect the server speaks (PROTOCOL.md §15). Not with
   * `secure`, which is ferry-to-ferry. Default `ferry`.
   */
  dialect?: Dialect;
  /** How to reach the server, for tests of other transports. Default TCP, or TLS when `secure`. */
  transport?: Transport;
  /** The extensions to offer. Default {@linkcode CLIENT_FEATURES}. */
  features?: readonly Feature[];
  /** Turns the host name into addresses, tried in turn. Default the system's resolver. */
  resolve?: Resolver;
  /**
   * Classic mode: milliseconds to listen, once connected, for a server that speaks
   * first (SSH, SMTP and FTP servers do; ferry servers never do), which is then
   * refused as not a ferry server. Default 0: the first command finds out.
   */
  listenFirst?: number;
  /**
   * Classic mode: milliseconds to wait for the first reply before taking the server
   * for something else (a server of another protocol that waits in silence), if less
   * than `timeout`. Default `timeout`.
   */
  firstReply?: number;
  /**
   * Fail every transfer the server does not vouch for with a checksum (a base-protocol
   * server sends none), keeping no download. Default `false`: marked not verified.
   */
  verify?: boolean;
  /** The secret `reput` keys are made from, kept across runs by the CLI. Default: a new one. */
  resumeSecret?: string;
  /**
   * The one digest to accept for trailers and statuses (PROTOCOL.md §17). A digest
   * other than the base protocol's `sha256` is agreed at connect time, so a server
   * that cannot agree it is refused at once. Default: offer `xxh128`, then `sha256`,
   * whenever `feat` is sent (always in secure mode; in plain mode only when a command
   * needs an extension, so a base-protocol server sees nothing new).
   */
  digest?: DigestName;
}

/** How a secure session is set up. */
export interface SecureConnectOptions {
  /**
   * Decides whether to trust the server's identity (its certificate's SHA-256, hex)
   * the first time it is seen in this session; throw to refuse. Every later
   * connection of the session must then show exactly that identity.
   */
  checkIdentity: CheckIdentity;
  /** The access token, or a way to get it once the identity checked out (a prompt). */
  token: string | (() => Promise<string>);
}

/**
 * Opens a session with a ferry (or any simple-FTP) server. A secure one is pinned
 * to the identity `checkIdentity` accepts, then authenticated with the token.
 */
export async function connect(options: ConnectOptions = {}): Promise<Client> {
  const client = await open(options);
  if (options.digest && options.digest !== BASE_DIGEST) {
    await client.require("digest").catch(async (error) => {
      await client.quit();
      throw error;
    });
  }
  if (!options.secure) return client;
  // Until the session is set up, the signal ends it (each reply is bounded by the timeout).
  const stop = () => client.close();
  options.signal?.addEventListener("abort", stop, { once: true });
  try {
    await client.require("auth");
    await client.require("tickets");
    const { token } = options.secure;
    await client.authenticate(typeof token === "string" ? token : await token());
    return client;
  } catch (error) {
    await client.quit();
    throw error;
  } finally {
    options.signal?.removeEventListener("abort", stop);
  }
}

/**
 * Every connection's identity checked: the first by `check`, the rest against the
 * first, so a data connection cannot reach anyone but the server trusted.
 */
function pinned(check: CheckIdentity): CheckIdentity {
  let trusted: string | undefined;
  return async (fingerprint) => {
    if (trusted === undefined) {
      await check(fingerprint);
      trusted = fingerprint;
    } else if (fingerprint !== trusted) {
      throw new TrustError(
        `A data connection reached a server with another identity (sha256:${fingerprint})`,
      );
    }
  };
}

async function open(options: ConnectOptions): Promise<Client> {
  const { dialect } = options;
  if (options.secure && dialect && dialect.name !== "ferry") {
    throw new TypeError(
      `Cannot speak the ${dialect.name} dialect securely: dialects are the classic protocol`,
    );
  }
  const address = { hostname: options.hostname ?? "127.0.0.1", port: options.port ?? 2121 };
  const timeout = options.timeout ?? 120_000;
  const transport = options.transport ??
    (options.secure ? tlsClient(pinned(options.secure.checkIdentity)) : tcp);
  const giveUp = new AbortController();
  const abandon = () => giveUp.abort();
  options.signal?.addEventListener("abort", abandon, { once: true });
  if (options.signal?.aborted) abandon();
  try {
    const connection = await withDeadline(
      timeout,
      abandon,
      () => new ConnectError(`no answer within ${seconds(timeout)}`),
      () => connectAny(transport, address, { signal: giveUp.signal, resolve: options.resolve }),
    );
    const control = new Control(connection, {
      timeout,
      dialect,
      firstReply: options.secure ? undefined : options.firstReply,
    });
    if (!options.secure && options.listenFirst) await control.listenFirst(options.listenFirst);
    const features = withDigest(
      options.features ?? [...CLIENT_FEATURES, ...(options.secure ? SECURE_CLIENT_FEATURES : [])],
      options.digest,
    );
    return new Client(control, {
      transport,
      timeout,
      features,
      dialect,
      verify: options.verify,
      resumeSecret: options.resumeSecret,
    });
  } catch (error) {
    if (error instanceof TrustError || error instanceof NotFerryError) throw error;
    const stranger = strangerBehind(error, address);
    if (stranger) throw stranger;
    throw new ConnectError(
      `Cannot connect to ${formatAddress(address)}: ${describeConnectError(error, options)}`,
      { cause: error },
    );
  } finally {
    // Once connected, aborting `giveUp` would close the connection: let go of it.
    options.signal?.removeEventListener("abort", abandon);
  }
}

/** `features` with the `digest` offer cut to the one digest asked for, if one was. */
function withDigest(features: readonly Feature[], digest?: DigestName): readonly Feature[] {
  if (!digest) return features;
  return features.map((feature) =>
    feature.name === "digest" ? { ...feature, values: [digest] } : feature
  );
}

/**
 * The sentence for a secure connect that reached something other than a ferry server:
 * an answer to TLS that is neither TLS nor a classic reply field (an HTTP server's
 * `400 Bad Request`, an FTP greeting). A classic server's answer gets the advice to
 * use --plain instead, from {@linkcode describeConnectError}.
 */
function strangerBehind(error: unknown, address: NetAddress): NotFerryError | undefined {
  let silent = error;
  while (silent instanceof Error && !(silent instanceof SilentPeerError)) silent = silent.cause;
  if (silent instanceof SilentPeerError) {
    return new NotFerryError(
      `The server at ${
        formatAddress(address)
      } does not look like a ferry server in secure mode: ${silent.message} (a classic server may just wait: connect with --plain if you trust the network)`,
      { cause: error },
    );
  }
  let cause = error;
  while (cause instanceof Error && !(cause instanceof NotTlsError)) cause = cause.cause;
  if (!(cause instanceof NotTlsError) || !cause.answer) return undefined;
  const first = new FirstBytes();
  first.keep(cause.answer);
  return first.foreign
    ? first.stranger(cause.address, "it answered TLS with", { quoteStart: true, cause })
    : undefined;
}

/** Why connecting failed, in ferry's words where the runtime's would puzzle. */
function describeConnectError(error: unknown, options: ConnectOptions): string {
  const message = describeError(error);
  if (
    options.secure &&
    /wrong version|packet length|unexpected message|InvalidContentType|corrupt message|ECONNRESET|socket hang up|Client network socket disconnected/i
      .test(message)
  ) {
    return "it does not speak TLS, so it is probably a classic server: connect with --plain if you trust the network";
  }
  return message;
}

/**
 * Whether to trust a server's identity, decided the way ssh does: a fingerprint
 * given on the command line must match; a server known from before must show the
 * same identity; a new one is shown and asked about on a terminal, refused in a
 * script. A changed identity is always a hard error.
 *
 * @module
 */

import { formatFingerprint, type KnownHosts } from "../client/known_hosts.ts";
import { TrustError } from "../common/errors.ts";
import type { CheckIdentity } from "../transport/tls.ts";

/** What the decision needs. */
export interface TrustOptions {
  /** `host:port`, as the user named the server. */
  address: string;
  /** The fingerprint given with `--fingerprint`, if any (64 hex digits). */
  given?: string;
  knownHosts: KnownHosts;
  /** Asks the user (on a terminal) whether to trust a new server; absent in scripts. */
  ask?: (question: string) => Promise<boolean>;
  /** Told about a server trusted for the first time (to say it was remembered). */
  onRemembered?: (message: string) => void;
}

/** The identity check for `connect()`'s secure mode. */
export function trustDecision(options: TrustOptions): CheckIdentity {
  return async (seen) => {
    const { address, given, knownHosts } = options;
    const known = await knownHosts.lookup(address);
    if (given !== undefined) {
      if (seen !== given) {
        throw new TrustError(
          `The server at ${address} has identity ${formatFingerprint(seen)}, not the ` +
            `${formatFingerprint(given)} given with --fingerprint: do not connect until you ` +
            "know why (check the fingerprint the server printed)",
        );
      }
      if (known !== seen) await remember(options, seen);
      return;
    }
    if (known === seen) return;
    if (known !== undefined) {
      throw new TrustError(
        `The server at ${address} has a new identity, ${formatFingerprint(seen)}, not the ` +
          `${formatFingerprint(known)} trusted before. Someone may be intercepting the ` +
          "connection, or the server's identity was replaced. If you know it was replaced, " +
          `connect once with --fingerprint ${seen} (after checking it with the server), ` +
          `or remove the line for ${address} from ${knownHosts.path}`,
      );
    }
    if (!options.ask) {
      throw new TrustError(
        `The server at ${address} is not known yet; its identity is ${formatFingerprint(seen)}. ` +
          `If that is what the server printed, run again with --fingerprint ${seen}`,
      );
    }
    const yes = await options.ask(
      `The server at ${address} is new to this machine. Its identity is\n` +
        `  ${formatFingerprint(seen)}\n` +
        "Compare it with what the server printed. Trust it and remember it? [y/N] ",
    );
    if (!yes) throw new TrustError(`Not trusted: the connection to ${address} was closed`);
    await remember(options, seen);
  };
}

async function remember(options: TrustOptions, fingerprint: string): Promise<void> {
  await options.knownHosts.remember(options.address, fingerprint);
  options.onRemembered?.(
    `ferry: remembered ${options.address} as ${
      formatFingerprint(fingerprint)
    } in ${options.knownHosts.path}\n`,
  );
}

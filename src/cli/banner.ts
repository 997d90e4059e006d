/**
 * What `ferry serve` prints when it starts: where it serves, how it is protected,
 * and the exact command to type on the other machine. Pure, so every variant is
 * tested as text.
 *
 * @module
 */

import { formatFingerprint } from "../client/known_hosts.ts";
import { formatAddress, quote } from "../common/text.ts";

/** Everything the banner says. */
export interface BannerFacts {
  root: string;
  /** The address listened on. */
  listening: { hostname: string; port: number };
  /** The address another machine should use (a real interface when listening on all). */
  reachAs: { hostname: string; port: number };
  readOnly: boolean;
  /** Whether `root` is one file shared alone, not a folder. */
  oneFile?: boolean;
  /** The classic dialect a `--plain` server speaks, if not the default `ferry`. */
  dialect?: string;
  /** Absent for a classic (`--plain`) server. */
  secure?: {
    fingerprint: string;
    /** Where the identity lives, if it was made just now. */
    createdIdentity?: string;
    /** Tokens made for this run (shown once); those from files or FERRY_TOKEN are not shown. */
    newTokens: { readWrite?: string; readOnly?: string };
  };
}

/** Where the server listens, in words for the wildcard addresses. */
function where(address: { hostname: string; port: number }): string {
  if (address.hostname === "::") return `port ${address.port} of every interface (IPv4 and IPv6)`;
  if (address.hostname === "0.0.0.0") return `port ${address.port} of every IPv4 interface`;
  return formatAddress(address);
}

/** The banner's lines, each ending in `\n`. The first names the folder and address. */
export function formatBanner(facts: BannerFacts): string {
  const mode = facts.readOnly ? " (read-only)" : "";
  const lines = [`ferry: serving ${quote(facts.root)}${mode} on ${where(facts.listening)}`];
  const target = formatAddress(facts.reachAs);
  const { secure } = facts;
  if (!secure) {
    const what = facts.oneFile
      ? "read this file"
      : facts.readOnly
      ? "read this folder"
      : "read and write this folder";
    lines.push(
      `ferry: warning: classic protocol (--plain): no encryption and no token, so anyone who can reach this port can ${what}`,
      `ferry: on the other machine, run: ferry connect --plain ${
        facts.dialect && facts.dialect !== "ferry" ? `--dialect ${facts.dialect} ` : ""
      }${target}`,
    );
    return lines.map((line) => line + "\n").join("");
  }
  lines.push(`ferry: encrypted; server identity ${formatFingerprint(secure.fingerprint)}`);
  if (secure.createdIdentity) {
    lines.push(`ferry: created this identity in ${secure.createdIdentity}; keep that file private`);
  }
  const command = `ferry connect ${target} --fingerprint ${secure.fingerprint}`;
  const { readWrite, readOnly } = secure.newTokens;
  if (readWrite) {
    lines.push(
      "ferry: on the other machine, run (tokens are secrets, shown only now):",
      `  FERRY_TOKEN=${readWrite} ${command}`,
    );
    if (readOnly) {
      lines.push("ferry: or, to allow downloads only:", `  FERRY_TOKEN=${readOnly} ${command}`);
    }
  } else if (readOnly && !facts.readOnly) {
    // The read-write token came from a file or FERRY_TOKEN: this new one is not it.
    lines.push(
      `ferry: on the other machine, run: ${command}`,
      "  with FERRY_TOKEN set to the token; or, to allow downloads only (a secret, shown only now):",
      `  FERRY_TOKEN=${readOnly} ${command}`,
    );
  } else if (readOnly) {
    lines.push(
      "ferry: on the other machine, run (the token is a secret, shown only now):",
      `  FERRY_TOKEN=${readOnly} ${command}`,
    );
  } else {
    lines.push(
      `ferry: on the other machine, run: ${command}`,
      "  with FERRY_TOKEN set to the token",
    );
  }
  return lines.map((line) => line + "\n").join("");
}

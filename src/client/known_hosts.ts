/**
 * The servers this user has trusted, remembered the way ssh's `known_hosts` does:
 * one `HOST:PORT sha256:FINGERPRINT` line each, in a file under the config folder.
 *
 * @module
 */

import { dirname, join } from "node:path";
import { configDir } from "../common/places.ts";

/** The known-servers file in the config folder. */
export function defaultKnownHostsPath(): string {
  return join(configDir(), "known_hosts");
}

/** Parses a known-servers file: each server's address and fingerprint (hex). */
export function parseKnownHosts(text: string): Map<string, string> {
  const known = new Map<string, string>();
  for (const line of text.split("\n")) {
    const [address, fingerprint] = line.trim().split(/\s+/);
    if (!address || address.startsWith("#") || !fingerprint) continue;
    const hex = parseFingerprint(fingerprint);
    if (hex) known.set(address.toLowerCase(), hex);
  }
  return known;
}

/**
 * A fingerprint as people paste it (`sha256:`, colons, spaces, either case) as 64
 * lowercase hex digits; `undefined` if it is not one.
 */
export function parseFingerprint(text: string): string | undefined {
  const hex = text.trim().replace(/^sha256:/i, "").replace(/[:\s]/g, "").toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : undefined;
}

/** A fingerprint as ferry shows it: `sha256:` and 64 hex digits. */
export function formatFingerprint(hex: string): string {
  return `sha256:${hex}`;
}

/** The known-servers file. */
export class KnownHosts {
  readonly path: string;

  constructor(path = defaultKnownHostsPath()) {
    this.path = path;
  }

  /** The fingerprint trusted for `address` (`host:port`), if any. */
  async lookup(address: string): Promise<string | undefined> {
    return (await this.#read()).get(address.toLowerCase());
  }

  /** Trusts `fingerprint` for `address` from now on, replacing what was trusted before. */
  async remember(address: string, fingerprint: string): Promise<void> {
    const key = address.toLowerCase();
    let text = "";
    try {
      text = await Deno.readTextFile(this.path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      await Deno.mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
      text = "# Servers ferry connect has trusted: HOST:PORT sha256:FINGERPRINT\n";
    }
    const kept = text.split("\n").filter((line) =>
      line.trim().split(/\s+/)[0]?.toLowerCase() !== key
    );
    const lines = kept.join("\n").replace(/\n*$/, "\n") +
      `${key} ${formatFingerprint(fingerprint)}\n`;
    await Deno.writeTextFile(this.path, lines, { mode: 0o600 });
  }

  async #read(): Promise<Map<string, string>> {
    try {
      return parseKnownHosts(await Deno.readTextFile(this.path));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return new Map();
      throw error;
    }
  }
}

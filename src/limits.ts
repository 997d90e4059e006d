/**
 * Every limit a public server needs, with its default: how many sessions, how long
 * each wait may last, how large an upload may be. The CLI, the server and
 * SECURITY.md all read them from here.
 *
 * @module
 */

import { MAX_PAYLOAD } from "./wire.ts";

/** Limits for one server; times in milliseconds, sizes in bytes. */
export interface Limits {
  /** Sessions open at once, in all. */
  maxSessions: number;
  /** Sessions open at once from one address. */
  maxSessionsPerPeer: number;
  /** Time a control connection may sit between commands. */
  idleTimeout: number;
  /** Time to receive the rest of a command frame once its first byte arrived. */
  commandTimeout: number;
  /** Time for the client to open the data connection. */
  dataAcceptTimeout: number;
  /** Time a transfer may go without moving a byte. */
  stallTimeout: number;
  /** Largest upload accepted. */
  maxUploadBytes: number;
  /** Free space an upload must leave on the disk. */
  minFreeBytes: number;
}

/** The defaults, chosen for a server on an open network. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxSessions: 512,
  maxSessionsPerPeer: 64,
  idleTimeout: 300_000,
  commandTimeout: 30_000,
  dataAcceptTimeout: 30_000,
  stallTimeout: 60_000,
  maxUploadBytes: MAX_PAYLOAD,
  minFreeBytes: 0,
});

const SIZE_UNITS: Record<string, number> = {
  "": 1,
  k: 1e3,
  m: 1e6,
  g: 1e9,
  t: 1e12,
  ki: 2 ** 10,
  mi: 2 ** 20,
  gi: 2 ** 30,
  ti: 2 ** 40,
};

/** Parses a size such as `500M`, `2GiB` or `1048576`; `undefined` if it is not one. */
export function parseSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]i?)?b?$/i.exec(text.trim());
  if (!match) return undefined;
  const bytes = Math.round(Number(match[1]) * SIZE_UNITS[(match[2] ?? "").toLowerCase()]);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

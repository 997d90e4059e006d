/**
 * Every limit a public server needs, with its default: how many sessions, how long
 * each wait may last, how large an upload may be. The CLI, the server and
 * SECURITY.md all read them from here.
 *
 * @module
 */

import { MAX_FRAMED_SIZE } from "../protocol/payload_decoder.ts";

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
  /** Largest upload accepted (a base-protocol client can send at most 9,999,999,999 bytes). */
  maxUploadBytes: number;
  /** Free space an upload must leave on the disk. */
  minFreeBytes: number;
  /** How long an interrupted upload is kept for its client to resume (PROTOCOL.md §19). */
  resumeTtl: number;
  /** Bytes all kept interrupted uploads may hold together; the oldest go first. */
  resumeSpaceBytes: number;
}

/** The defaults, chosen for a server on an open network. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxSessions: 512,
  maxSessionsPerPeer: 64,
  idleTimeout: 300_000,
  commandTimeout: 30_000,
  dataAcceptTimeout: 30_000,
  stallTimeout: 60_000,
  maxUploadBytes: MAX_FRAMED_SIZE,
  minFreeBytes: 0,
  resumeTtl: 24 * 3_600_000,
  resumeSpaceBytes: 16 * 2 ** 30,
});

/**
 * How long, after a transfer, the server waits for the client to close the data
 * connection (and, after a refused upload, discards what it still sends).
 */
export const PEER_CLOSE_GRACE_MS = 2_000;

/**
 * What a command handler gets and gives: the session as it sees it, and the reply it
 * returns (see `command_table.ts` for how each kind is answered).
 *
 * @module
 */

import type { Dialect } from "../protocol/dialects.ts";
import type { Feature, FeatureSet } from "../protocol/features.ts";
import type { Segments } from "../protocol/paths.ts";
import type { Access } from "./access.ts";
import type { Channel } from "../transport/channel.ts";
import type { Watchdog } from "../transport/deadline.ts";
import type { DigestCache } from "./digest_cache.ts";
import type { FileStore } from "./file_store.ts";
import type { Target } from "./jail.ts";
import type { Limits } from "./limits.ts";
import type { ResumeState } from "./resume_state.ts";

/** What a handler sees of its session. */
export interface CommandContext {
  readonly store: FileStore;
  readonly limits: Limits;
  /** The features this session agreed. */
  readonly features: FeatureSet;
  /** The features this server offers to agree. */
  readonly supported: readonly Feature[];
  /** The session's current folder (always the root unless it agreed `path`). */
  readonly cwd: Segments;
  /** What `path` names from the current folder (the folder itself if none); refuses escapes. */
  target(path?: string): Target;
  /** Digests of files hashed before, by snapshot: shared by every session of the server. */
  readonly digests: DigestCache;
  /** The dialect this server speaks: whether a trailer and a status vouch for payloads. */
  readonly dialect: Dialect;
  /** The server's interrupted uploads and hash states, for `reget` and `reput` (§19). */
  readonly resume: ResumeState;
  /**
   * Who the session's client is, as far as the server knows, for binding a kept
   * upload to it: what its token grants on a secure server, `plain` otherwise.
   */
  readonly owner: string;
  /** What `token` grants this session (after any back-off); `undefined` if nothing. */
  authenticate(token: string): Promise<Access | undefined>;
}

/** What a command did, for the log. */
export interface Outcome {
  bytes?: number;
  result: string;
}

/** What a transfer has moved so far, kept up to date by its handler for the log. */
export interface TransferProgress {
  /** Payload bytes moved: counted even if the transfer then fails. */
  bytes: number;
}

/** A command's work on its data connection; disposed whether or not it ran. */
export interface DataTransfer extends AsyncDisposable {
  run(channel: Channel, watchdog: Watchdog, progress: TransferProgress): Promise<Outcome>;
}

/** How a command is answered. */
export type Reply =
  /**
   * `listing`: the same bytes as the transfer sends (in pieces), for a dialect that answers `ls`
   * on the control connection instead (PROTOCOL.md §15.2).
   */
  | {
    kind: "data";
    transfer: DataTransfer;
    listing?: { chunks: readonly Uint8Array[]; outcome: Outcome };
  }
  /**
   * `grant`: the session now has this access (the answer to `auth`); `cwd`: its
   * current folder is now this one (the answer to `cd`); `payload`: a file's bytes,
   * sent in a frame right behind the `ok` (the answer to `fetch`, PROTOCOL.md §18).
   */
  | {
    kind: "ok";
    text?: string;
    outcome: Outcome;
    grant?: Access;
    cwd?: Segments;
    payload?: Uint8Array;
  }
  | { kind: "agreed"; features: FeatureSet; outcome: Outcome };

/** A data reply: `run` on the data connection, then `dispose` (also if it never ran). */
export function dataReply(
  run: DataTransfer["run"],
  dispose: () => void | Promise<void> = () => {},
): Reply & { kind: "data" } {
  return { kind: "data", transfer: { run, [Symbol.asyncDispose]: async () => await dispose() } };
}

/** A positive answer on the control connection, logged as `ok` (or `ok: <text>`). */
export function okReply(text?: string, extra: Partial<Extract<Reply, { kind: "ok" }>> = {}): Reply {
  return { kind: "ok", text, outcome: { result: text ? `ok: ${text}` : "ok" }, ...extra };
}

/**
 * Ends the server's side of a data connection after the last byte it sends, in a
 * dialect without a trailer or status: a peer that reads to the end of the stream
 * then has exactly the payload, and no one waits for the other to close first.
 */
export async function endUnvouched(context: CommandContext, channel: Channel): Promise<void> {
  if (!context.dialect.vouches) await channel.closeWrite();
}

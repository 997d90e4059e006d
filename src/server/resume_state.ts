/**
 * What a server keeps across sessions so transfers can resume (PROTOCOL.md §19): the
 * interrupted uploads, and the hash states of files recently sent, so a resumed
 * `get` reads at most the distance to the nearest state instead of the whole prefix.
 *
 * @module
 */

import { HashCheckpoints } from "../common/hash_checkpoints.ts";
import type { FileSnapshot } from "../common/file_snapshot.ts";
import { KeptUploads } from "./kept_uploads.ts";
import type { Limits } from "./limits.ts";

/** A server's resume state. */
export interface ResumeState {
  kept: KeptUploads;
  /** Hash states along files being sent, by {@linkcode versionKey}. */
  sent: HashCheckpoints;
}

/** A fresh resume state under `limits`. */
export function resumeState(limits: Pick<Limits, "resumeTtl" | "resumeSpaceBytes">): ResumeState {
  return {
    kept: new KeptUploads({ ttl: limits.resumeTtl, space: limits.resumeSpaceBytes }),
    sent: new HashCheckpoints(),
  };
}

/** One version of one file: a state recorded for it holds while it is unchanged. */
export function versionKey(snapshot: FileSnapshot): string {
  const { dev, ino, size, mtime, ctime } = snapshot;
  return `${dev}:${ino}:${size}:${mtime}:${ctime}`;
}

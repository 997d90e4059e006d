/**
 * What a server keeps across sessions so transfers can resume (PROTOCOL.md §19): the
 * interrupted uploads, and the hash states of files recently sent, so a resumed
 * `get` reads at most the distance to the nearest state instead of the whole prefix.
 *
 * @module
 */

import { HashCheckpoints } from "../common/hash_checkpoints.ts";
import { KeptUploads } from "./kept_uploads.ts";
import type { Limits } from "./limits.ts";

/** A server's resume state. */
export interface ResumeState {
  kept: KeptUploads;
  /** Hash states along files being sent, by `snapshotKey`. */
  sent: HashCheckpoints;
}

/** A fresh resume state under `limits`. */
export function resumeState(limits: Pick<Limits, "resumeTtl" | "resumeSpaceBytes">): ResumeState {
  return {
    kept: new KeptUploads({ ttl: limits.resumeTtl, space: limits.resumeSpaceBytes }),
    sent: new HashCheckpoints(),
  };
}

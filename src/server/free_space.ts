/**
 * The free-space floor: how many bytes the served folder's disk has free, where that
 * can be read, and the refusal of an upload that would take it below the floor.
 *
 * @module
 */

import { RefusalError } from "../common/errors.ts";

/**
 * Free bytes on the disk of `folder`, or `undefined` where that cannot be read (a
 * platform without statfs, or no `--allow-sys=statfs` permission).
 */
export async function freeSpace(folder: string): Promise<number | undefined> {
  // Asked, never requested: without the permission Deno would prompt on a terminal
  // and stall every session until someone answered.
  try {
    const { state } = await Deno.permissions.query({ name: "sys", kind: "statfs" });
    if (state !== "granted") return undefined;
    const { statfs } = await import("node:fs/promises"); // Loaded when first needed.
    const stats = await statfs(folder);
    return stats.bavail * stats.bsize;
  } catch {
    return undefined;
  }
}

/**
 * Refuses to store `bytes` more in `folder` if that would leave less than `keepFree`
 * bytes free on its disk. Skipped where free space cannot be read; the server refuses
 * to start with a `keepFree` it could not enforce.
 */
export async function checkFreeSpace(
  folder: string,
  { bytes, keepFree }: { bytes: number; keepFree: number },
): Promise<void> {
  const available = await freeSpace(folder);
  if (available !== undefined && available - bytes < keepFree) {
    const keeping = keepFree > 0 ? ` while keeping ${keepFree} bytes free` : "";
    throw new RefusalError(
      `Not enough disk space on the server for ${bytes} bytes${keeping} (${available} bytes free)`,
    );
  }
}

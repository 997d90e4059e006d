/**
 * How samples are taken: a bounded run loop with an optional discarded warm-up run
 * and a deadline per run, unit conversions, and the two tiny exchanges the latency,
 * memory and start-up scenarios speak on ferry's wire directly (so they can wait for
 * the server's answer, which `Client.quit()` does not).
 *
 * @module
 */

import { readToEnd, withTimeout, writeAll } from "./system.ts";

/** Longest a single run may take before the benchmark gives up. */
const RUN_TIMEOUT = 15 * 60_000;

/** Options for {@linkcode repeat}. */
export interface RepeatOptions {
  /** Runs done first and thrown away (JIT, caches). Default 0. */
  warmup?: number;
  /** Printed as progress. */
  label: string;
}

/** Calls `sample(run)` `runs` times (after the warm-up) and returns the samples. */
export async function repeat(
  runs: number,
  options: RepeatOptions,
  sample: (run: number) => Promise<number>,
): Promise<number[]> {
  const samples: number[] = [];
  const warmup = options.warmup ?? 0;
  for (let run = -warmup; run < runs; run++) {
    const value = await withTimeout(sample(run + warmup), RUN_TIMEOUT, options.label);
    if (run >= 0) samples.push(value);
  }
  console.error(`  ${options.label}: ${samples.map((value) => value.toFixed(2)).join(" ")}`);
  return samples;
}

/** Megabytes (10^6 bytes) per second. */
export function mbPerSecond(bytes: number, ms: number): number {
  return bytes / 1e6 / (ms / 1000);
}

/** The middle value (mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const encoder = new TextEncoder();

/** A command frame: 10-digit length, then the text (see docs/PROTOCOL.md §2). */
function frame(command: string): Uint8Array {
  const body = encoder.encode(command);
  return encoder.encode(String(body.byteLength).padStart(10, "0") + command);
}

/** Sends `quit` and waits for the server to close the connection. */
export async function quitAndWaitForClose(conn: Deno.Conn): Promise<void> {
  await writeAll(conn, frame("quit"));
  await readToEnd(conn);
}

/**
 * Sends a command the server does not know and reads the whole refusal (`0000000000`
 * then one message frame): proof that a session is up and being served. Returns the
 * message, which says whether it was the command or the session that was refused.
 */
export async function refusalRoundTrip(conn: Deno.Conn): Promise<string> {
  await writeAll(conn, frame("noop"));
  const buffer = new Uint8Array(8192);
  let filled = 0;
  for (let reads = 0; reads < 10_000; reads++) {
    const n = await conn.read(buffer.subarray(filled));
    if (n === null) break;
    filled += n;
    if (filled < 20) continue;
    const length = Number(new TextDecoder().decode(buffer.subarray(10, 20)).trim());
    if (filled >= 20 + length) return new TextDecoder().decode(buffer.subarray(20, 20 + length));
  }
  throw new Error("The server closed the connection instead of refusing an unknown command");
}

/**
 * How samples are taken. A scenario is a list of variants (raw copy, ferry, vsftpd...)
 * run in turn, A B C A B C, so run i of every variant comes before run i + 1 of any
 * and a change in the machine's load hits them all alike. Each run has a deadline, and
 * a transfer's run also reports the CPU time its client and server processes used,
 * from `/proc/PID/stat` (see {@linkcode cpuMeter}).
 *
 * @module
 */

import { processTimes } from "../tests/support/proc.ts";
import { formatNumber, type Results } from "./report.ts";
import type { FigureSpec } from "./report.ts";

/** Longest a single run may take before the benchmark gives up. */
const RUN_TIMEOUT = 15 * 60_000;

/** What one run of a variant measured. */
export interface Measured {
  /** One value per figure of the variant. */
  values: number[];
  /** CPU seconds the client and server processes used, for a transfer. */
  cpu?: number;
}

/** One contender of a scenario. */
export interface Variant {
  /** What it measures; the first is the main figure, the one CPU s/GiB is given for. */
  figures: FigureSpec[];
  /** Bytes one run moves: set for transfers, which then get a CPU s/GiB figure. */
  bytes?: number;
  /** Runs once; `run` counts from 0, warm-up runs included. */
  run(run: number): Promise<Measured>;
}

/** The wall and CPU time of one transfer, and any other figures it gave. */
export interface Timed {
  ms: number;
  /** CPU seconds of the client and server processes; `undefined` where not known. */
  cpu?: number;
  /** Values for the variant's other figures. */
  extra?: number[];
}

/**
 * A transfer variant: each run moves `bytes` (in `count` files) and its main figure
 * is MB/s, or files/s if its unit says so.
 */
export function transfer(
  figures: FigureSpec[],
  bytes: number,
  once: (run: number) => Promise<Timed>,
  count = 1,
): Variant {
  return {
    figures,
    bytes,
    async run(run) {
      const { ms, cpu, extra = [] } = await once(run);
      const rate = figures[0].unit === "files/s" ? count / (ms / 1000) : mbPerSecond(bytes, ms);
      return { values: [rate, ...extra], cpu };
    },
  };
}

/** Times `work`, with the CPU time `pids` used meanwhile. */
export async function timed(pids: number[], work: () => Promise<unknown>): Promise<Timed> {
  const meter = await cpuMeter(pids);
  const started = performance.now();
  await work();
  const ms = performance.now() - started;
  return { ms, cpu: await meter() };
}

/** The sum of two CPU times, unknown if either is. */
export function addCpu(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : a + b;
}

/**
 * Runs every variant `runs` times, alternating (after `warmup` rounds thrown away), and
 * records their figures in `results`.
 */
export async function alternate(
  runs: number,
  results: Results,
  variants: Variant[],
  warmup = 0,
): Promise<void> {
  const measured: Measured[][] = variants.map(() => []);
  for (let round = 0; round < warmup + runs; round++) {
    for (const [index, variant] of variants.entries()) {
      const { label, unit } = variant.figures[0];
      const sample = await withTimeout(variant.run(round), RUN_TIMEOUT, label);
      const which = round < warmup ? "warm-up" : `${round - warmup + 1}/${runs}`;
      console.error(`  [${which}] ${label}: ${formatNumber(sample.values[0])} ${unit}`);
      if (round >= warmup) measured[index].push(sample);
    }
  }
  for (const [index, variant] of variants.entries()) {
    const samples = measured[index];
    const gib = (variant.bytes ?? 0) / 2 ** 30;
    const cpu = gib > 0 ? samples.map((sample) => (sample.cpu ?? NaN) / gib) : undefined;
    for (const [figure, spec] of variant.figures.entries()) {
      const values = samples.map((sample) => sample.values[figure]);
      results.add(spec, values, figure === 0 ? cpu : undefined);
    }
  }
}

/**
 * Starts counting CPU time: the user + system seconds of `pids` themselves, plus, for
 * `reapers`, those of their children that exit and are waited for meanwhile (vsftpd
 * forks a process per session). The function returned reads the seconds used since;
 * `undefined` where `/proc` cannot be read.
 */
export async function cpuMeter(
  pids: number[],
  reapers: number[] = [],
): Promise<() => Promise<number | undefined>> {
  const all = [...pids, ...reapers];
  const before = await processTimes(all);
  return async () => {
    const after = await processTimes(all);
    if (!before || !after) return undefined;
    return after.reduce((sum, times, i) => {
      const own = times.own - before[i].own;
      return sum + own + (i >= pids.length ? times.children - before[i].children : 0);
    }, 0);
  };
}

/** Megabytes (10^6 bytes) per second. */
export function mbPerSecond(bytes: number, ms: number): number {
  return bytes / 1e6 / (ms / 1000);
}

/** Settles like `promise`, or rejects when `ms` pass first. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

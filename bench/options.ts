/**
 * The benchmark's command line: sizes, counts and switches, parsed with
 * `node:util` parseArgs and ferry's own size parser, with `--quick` defaults small
 * enough for a smoke check.
 *
 * @module
 */

import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { parseSize } from "../src/common/sizes.ts";

/** The scenario groups `--only` can pick, in the order they run. */
export const GROUPS = [
  "get",
  "put",
  "small",
  "concurrent",
  "latency",
  "memory",
  "startup",
  "tree",
  "listing",
  "resume",
] as const;

/** One scenario group. */
export type Group = typeof GROUPS[number];

/** Everything the benchmark was asked to do. */
export interface BenchOptions {
  quick: boolean;
  /** Runs of every variant of every scenario. */
  runs: number;
  /** Bytes in the big `get`/`put` file. */
  size: number;
  /** Number of small files fetched one by one, and the bytes in each. */
  smallCount: number;
  smallSize: number;
  /** Concurrent clients, and the bytes each fetches. */
  clients: number;
  clientSize: number;
  /** Connect + quit round trips per run. */
  latencyCount: number;
  /** Idle sessions held open for the RSS-per-session figure. */
  idleSessions: number;
  /** Names in the folder listed beside small transfers. */
  listingNames: number;
  /** The big files of the recursive-transfer scenario: 10 of 100 MiB (quick: 4 MiB). */
  treeBig: { count: number; size: number };
  /** vsftpd, curl and ftplib: `true` requires them, `false` skips them, `auto` uses them if found. */
  compare: boolean | "auto";
  /** Another ferry checkout to compare with, or `undefined`. */
  baseline?: string;
  /** The groups to run. */
  only: ReadonlySet<Group>;
  /** Where the JSON goes. */
  json: string;
}

/** `--help` text. */
export const HELP = `Usage: deno task bench [options]

Benchmarks ferry on loopback and prints a table (median, min, max, CPU s/GiB, ratios).

Options:
  --quick               small sizes, for a smoke check (default sizes in brackets below)
  --runs N              runs of every variant, alternating within each scenario [5]
  --size SIZE           big get/put file [1GiB; quick 32MiB]
  --small-count N       small files fetched one by one over one session [1000; quick 200]
  --small-size SIZE     size of each small file [4KiB]
  --clients N           concurrent clients [32; quick 8]
  --client-size SIZE    bytes each concurrent client fetches [32MiB; quick 4MiB]
  --latency-count N     connect + quit round trips per run [200; quick 50]
  --idle N              idle sessions for the RSS-per-session figure [300; quick 50]
  --listing-names N     names (of 200 bytes) in the folder listed beside small gets
                        [50000; quick 10000]
  --baseline DIR        also run the ferry checkout in DIR (its main.ts) and report
                        current ÷ baseline for get, put and small files
  --compare             require vsftpd, curl and python3 for the comparison rows
  --no-compare          skip them (by default they run when vsftpd is found)
  --only LIST           comma-separated groups: ${GROUPS.join(",")}
  --json FILE           where to write the figures as JSON [bench/results/latest.json]
  -h, --help            show this help

SIZE is ferry's size syntax: 4096, 500M or 2G in powers of 1000; 4KiB, 32MiB or 1GiB in
powers of 1024.
`;

/** Parses the arguments; `undefined` means `--help` was asked for. */
export function parseOptions(args: string[], repoRoot: string): BenchOptions | undefined {
  const { values } = parseArgs({
    args,
    options: {
      quick: { type: "boolean", default: false },
      runs: { type: "string" },
      size: { type: "string" },
      "small-count": { type: "string" },
      "small-size": { type: "string" },
      clients: { type: "string" },
      "client-size": { type: "string" },
      "latency-count": { type: "string" },
      idle: { type: "string" },
      "listing-names": { type: "string" },
      baseline: { type: "string" },
      compare: { type: "boolean" },
      "no-compare": { type: "boolean" },
      only: { type: "string" },
      json: { type: "string", default: join(repoRoot, "bench", "results", "latest.json") },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: false,
  });
  if (values.help) return undefined;
  if (values.compare && values["no-compare"]) {
    throw new RangeError("Options --compare and --no-compare exclude each other");
  }
  const quick = values.quick;
  return {
    quick,
    runs: count("runs", values.runs, 5),
    size: size("size", values.size, quick ? "32MiB" : "1GiB"),
    smallCount: count("small-count", values["small-count"], quick ? 200 : 1000),
    smallSize: size("small-size", values["small-size"], "4KiB"),
    clients: count("clients", values.clients, quick ? 8 : 32),
    clientSize: size("client-size", values["client-size"], quick ? "4MiB" : "32MiB"),
    latencyCount: count("latency-count", values["latency-count"], quick ? 50 : 200),
    idleSessions: count("idle", values.idle, quick ? 50 : 300),
    listingNames: count("listing-names", values["listing-names"], quick ? 10_000 : 50_000),
    treeBig: { count: 10, size: quick ? 4 << 20 : 100 << 20 },
    compare: values.compare ? true : values["no-compare"] ? false : "auto",
    baseline: values.baseline === undefined ? undefined : resolve(values.baseline),
    only: groups(values.only),
    json: values.json,
  };
}

function count(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= 1 && value <= 1_000_000)) {
    throw new RangeError(`Option --${name} must be a whole number from 1 to 1000000`);
  }
  return value;
}

function size(name: string, text: string | undefined, fallback: string): number {
  const value = parseSize(text ?? fallback);
  if (value === undefined || value < 1 || value > 2 ** 40) {
    throw new RangeError(`Option --${name} must be a size from 1 byte to 1TiB, such as 4KiB`);
  }
  return value;
}

function groups(text: string | undefined): ReadonlySet<Group> {
  if (text === undefined) return new Set(GROUPS);
  const picked = new Set<Group>();
  for (const word of text.split(",").map((part) => part.trim()).filter(Boolean)) {
    const group = GROUPS.find((candidate) => candidate === word);
    if (!group) throw new RangeError(`Unknown group "${word}" for --only: use ${GROUPS}`);
    picked.add(group);
  }
  return picked;
}

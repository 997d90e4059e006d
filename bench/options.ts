/**
 * The benchmark's command line: sizes, counts and switches, parsed with
 * `node:util` parseArgs, with `--quick` defaults small enough for CI.
 *
 * @module
 */

import { parseArgs } from "node:util";

/** The scenario groups `--only` can pick. */
export const GROUPS = [
  "get",
  "put",
  "small",
  "concurrent",
  "latency",
  "memory",
  "startup",
] as const;

/** One scenario group. */
export type Group = typeof GROUPS[number];

/** Everything the benchmark was asked to do. */
export interface BenchOptions {
  quick: boolean;
  /** Repetitions of every scenario. */
  runs: number;
  /** Bytes in the big `get`/`put` file. */
  size: number;
  /** Number of small files fetched one by one. */
  smallCount: number;
  /** Bytes in each small file. */
  smallSize: number;
  /** Concurrent clients. */
  clients: number;
  /** Bytes each concurrent client fetches. */
  clientSize: number;
  /** Connect + quit round trips per run. */
  latencyCount: number;
  /** Idle sessions held open for the memory figure. */
  idleSessions: number;
  /** Also measure with the server in the benchmark's own process. */
  inProcess: boolean;
  /** Run the vsftpd/curl/ftplib comparisons when those are installed. */
  compare: boolean;
  /** The groups to run. */
  only: ReadonlySet<Group>;
  /** Where the JSON goes. */
  json: string;
}

/** `--help` text. */
export const HELP = `Usage: deno task bench [options]

Benchmarks ferry on loopback and prints a table (median, min, max, ratios).

Options:
  --quick               small sizes for CI: a few seconds (default sizes in brackets below)
  --runs N              repetitions of every scenario [5]
  --size BYTES          big get/put file [1GiB; quick 32MiB]
  --small-count N       small files fetched one by one over one session [1000; quick 200]
  --small-size BYTES    size of each small file [4KiB]
  --clients N           concurrent clients [32; quick 8]
  --client-size BYTES   bytes each concurrent client fetches [32MiB; quick 4MiB]
  --latency-count N     connect + quit round trips per run [200; quick 50]
  --idle N              idle sessions for the RSS-per-session figure [300; quick 50]
  --no-in-process       skip the extra get/put runs with the server in this process
  --no-compare          skip the vsftpd, curl and python3 ftplib comparisons
  --only LIST           comma-separated groups: ${GROUPS.join(",")}
  --json FILE           where to write the figures as JSON [bench/results/latest.json]
  -h, --help            show this help

BYTES takes a suffix: K, M, G (powers of 1024), e.g. 512M or 1GiB.
`;

/** Parses the arguments; `undefined` means `--help` was asked for. */
export function parseOptions(args: string[], defaultJson: string): BenchOptions | undefined {
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
      "no-in-process": { type: "boolean", default: false },
      "no-compare": { type: "boolean", default: false },
      only: { type: "string" },
      json: { type: "string", default: defaultJson },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: false,
  });
  if (values.help) return undefined;
  const quick = values.quick;
  return {
    quick,
    runs: count("runs", values.runs, 5, 1),
    size: bytes("size", values.size, quick ? 32 << 20 : 1 << 30),
    smallCount: count("small-count", values["small-count"], quick ? 200 : 1000, 1),
    smallSize: bytes("small-size", values["small-size"], 4 << 10),
    clients: count("clients", values.clients, quick ? 8 : 32, 1),
    clientSize: bytes("client-size", values["client-size"], quick ? 4 << 20 : 32 << 20),
    latencyCount: count("latency-count", values["latency-count"], quick ? 50 : 200, 1),
    idleSessions: count("idle", values.idle, quick ? 50 : 300, 1),
    inProcess: !values["no-in-process"],
    compare: !values["no-compare"],
    only: groups(values.only),
    json: values.json,
  };
}

function count(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= 1_000_000)) {
    throw new RangeError(`Option --${name} must be a whole number from ${min} to 1000000`);
  }
  return value;
}

function bytes(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = parseBytes(text);
  if (value === undefined) {
    throw new RangeError(`Option --${name} must be a byte count such as 4096, 4K, 32M or 1G`);
  }
  return value;
}

/** Parses `4096`, `4K`, `4KiB`, `32M`, `1G` (binary units); `undefined` if malformed. */
export function parseBytes(text: string): number | undefined {
  const match = /^(\d+)\s*(?:([KMG])(?:i?B)?|B)?$/i.exec(text.trim());
  if (!match) return undefined;
  const shift = { K: 10, M: 20, G: 30 }[match[2]?.toUpperCase() ?? ""] ?? 0;
  const value = Number(match[1]) * 2 ** shift;
  return value >= 1 && value <= 9_999_999_999 ? value : undefined;
}

/** `1 GiB`, `32 MiB`, `4 KiB` or `123 B`, as short as exact allows. */
export function formatBytes(value: number): string {
  for (const [unit, shift] of [["GiB", 30], ["MiB", 20], ["KiB", 10]] as const) {
    if (value >= 2 ** shift && value % 2 ** (shift - 4) === 0) {
      return `${Number((value / 2 ** shift).toFixed(2))} ${unit}`;
    }
  }
  return `${value} B`;
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

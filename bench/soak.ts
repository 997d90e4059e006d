/**
 * A soak test: many clients at once run a random mix of `ls`, `get` and `put`, every
 * transfer checked by SHA-256, while the server's memory is sampled; at the end every
 * stored file is checked on disk against what was sent. Prints a short summary and
 * exits non-zero on any error, lost or corrupt file, or temp file left behind.
 *
 * `deno task soak [--clients N] [--ops N] [--max-size BYTES] [--seconds S] [--server subprocess|inprocess]`
 *
 * @module
 */

import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Client } from "../src/client/client.ts";
import { connect } from "../src/client/connect.ts";
import { formatBytes } from "../src/common/sizes.ts";
import { formatRate } from "../src/cli/progress.ts";
import { startChild, startInProcess } from "./soak_server.ts";
import { describeError } from "../src/common/text.ts";
import { randomBytes, sha256 as hash } from "../tests/support/helpers.ts";

/** What to run. */
export interface SoakOptions {
  /** Clients running at once, each on its own session. */
  clients: number;
  /** Operations per client. */
  ops: number;
  /** Largest upload in bytes; sizes are random from 0, skewed small. */
  maxSize: number;
  /** Hard time cap in seconds: no operation starts after it. */
  seconds: number;
  /** A `main.ts serve` child process, or a server in this process. */
  server: "subprocess" | "inprocess";
}

/** What happened. */
export interface SoakReport {
  clients: number;
  /** Sessions opened (a client whose session broke opens another). */
  sessions: number;
  transfers: { ls: number; get: number; put: number };
  /** Payload bytes moved by `get` and `put`. */
  bytes: number;
  /** How many things failed, and the first few messages. */
  errorCount: number;
  errors: string[];
  durationMs: number;
  /** Whether the time cap stopped the clients before they ran all their operations. */
  timedOut: boolean;
  /** Memory samples taken, and the largest RSS seen (in-process: of the whole process). */
  rssSamples: number;
  maxRssBytes?: number;
  /** The server process's peak RSS (VmHWM) at the end; subprocess on Linux only. */
  peakRssBytes?: number;
  /** Files this run stored, and those missing or different on disk at the end. */
  stored: number;
  lost: string[];
  corrupt: string[];
  /** `.ferry-upload-*` temp files left once the server stopped. */
  debris: string[];
}

/** What the clients of one run share. */
interface Run {
  options: SoakOptions;
  port: number;
  local: string;
  deadline: number;
  report: SoakReport;
  /** name → SHA-256 of every file stored so far, and the names in storing order. */
  expected: Map<string, string>;
  names: string[];
}

const MAX_ERRORS_KEPT = 10;
const SAMPLE_MS = 500;

/** Runs one soak and reports. Throws only if the server cannot start. */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const report: SoakReport = {
    ...{ clients: options.clients, sessions: 0, transfers: { ls: 0, get: 0, put: 0 }, bytes: 0 },
    ...{ errorCount: 0, errors: [], durationMs: 0, timedOut: false, rssSamples: 0, stored: 0 },
    ...{ lost: [], corrupt: [], debris: [] },
  };
  const dir = await Deno.makeTempDir({ prefix: "ferry-soak-" });
  try {
    const [root, local] = [join(dir, "shared"), join(dir, "local")];
    await Promise.all([Deno.mkdir(root), Deno.mkdir(local)]);
    const server = options.server === "subprocess"
      ? await startChild(root, options.seconds * 1000)
      : await startInProcess(root);
    const started = performance.now();
    const deadline = started + options.seconds * 1000;
    const run: Run = {
      options,
      port: server.port,
      local,
      deadline,
      report,
      expected: new Map(),
      names: [],
    };
    let sampling = Promise.resolve();
    const sample = () => {
      sampling = sampling.then(server.memory).then(({ rss = 0, peak }) => {
        report.rssSamples++;
        report.maxRssBytes = Math.max(report.maxRssBytes ?? 0, rss) || undefined;
        report.peakRssBytes = peak;
      });
    };
    const sampler = setInterval(sample, SAMPLE_MS);
    try {
      await Promise.all(Array.from({ length: options.clients }, (_, i) => runClient(run, i)));
      report.durationMs = performance.now() - started;
      report.timedOut = performance.now() >= deadline;
      sample();
    } finally {
      clearInterval(sampler);
      await sampling.catch((error) =>
        fail(report, `Cannot sample memory: ${describeError(error)}`)
      );
      await server.stop();
    }
    for (const problem of server.problems) fail(report, `server: ${problem}`);
    await verify(root, run);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return report;
}

/** One client: its operations in a row, on one session (a new one if it breaks). */
async function runClient(run: Run, index: number): Promise<void> {
  let client: Client | undefined;
  for (let op = 0; op < run.options.ops && performance.now() < run.deadline; op++) {
    const roll = Math.random();
    const kind = run.names.length === 0 || roll < 0.4 ? "put" : roll < 0.85 ? "get" : "ls";
    const name = kind === "put" ? `c${index}-${op}.bin` : kind === "get" ? pick(run.names) : "";
    try {
      if (!client) {
        client = await connect({ port: run.port, timeout: 30_000 });
        run.report.sessions++;
      }
      if (kind === "put") await put(run, client, name, join(run.local, `c${index}.src`));
      else if (kind === "get") await get(run, client, name, join(run.local, `c${index}-${op}`));
      else await list(run, client);
      run.report.transfers[kind]++;
    } catch (error) {
      fail(run.report, `client ${index}, op ${op}, ${kind} ${name}: ${describeError(error)}`);
      if (client?.closed) client = undefined;
    }
  }
  await client?.quit();
}

/** Uploads random bytes as `name` and checks the server stored what was sent. */
async function put(run: Run, client: Client, name: string, source: string): Promise<void> {
  const bytes = randomBytes(Math.floor(run.options.maxSize * Math.random() ** 3));
  const sha256 = hash(bytes);
  await Deno.writeFile(source, bytes);
  const result = await client.put(source, name);
  if (!result.verified || result.digest !== "sha256" || result.hex !== sha256) {
    throw new Error(
      `The server stored ${result.digest} ${result.hex} but sha256 ${sha256} was sent`,
    );
  }
  run.expected.set(name, sha256);
  run.names.push(name);
  run.report.bytes += bytes.byteLength;
}

/** Downloads `name` and checks the file written is the one stored. */
async function get(run: Run, client: Client, name: string, path: string): Promise<void> {
  const result = await client.get(name, path);
  const bytes = await Deno.readFile(path);
  await Deno.remove(path);
  if (!result.verified || hash(bytes) !== run.expected.get(name)) {
    throw new Error(`The download hashes to ${hash(bytes)}, not ${run.expected.get(name)}`);
  }
  run.report.bytes += bytes.byteLength;
}

/** Lists the folder and checks every file stored before the listing began is in it. */
async function list(run: Run, client: Client): Promise<void> {
  const before = run.names.slice();
  const listed = new Set(Array.from(await client.list(), (entry) => entry.name));
  const missing = before.filter((name) => !listed.has(name));
  if (missing.length > 0) throw new Error(`The listing lacks ${missing.length} stored files`);
}

/** Checks every stored file on disk, and that no temp file is left. */
async function verify(root: string, run: Run): Promise<void> {
  const { report } = run;
  report.stored = run.expected.size;
  for (const [name, expected] of run.expected) {
    try {
      if (hash(await Deno.readFile(join(root, name))) !== expected) report.corrupt.push(name);
    } catch {
      report.lost.push(name);
    }
  }
  for await (const entry of Deno.readDir(root)) {
    if (entry.name.startsWith(".ferry-upload-")) report.debris.push(entry.name);
  }
}

/** Counts a failure, keeping the first few messages. */
function fail(report: SoakReport, message: string): void {
  if (report.errorCount++ < MAX_ERRORS_KEPT) report.errors.push(message);
}

/** A random element. */
function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)];
}

/** The summary, for people: a few lines, then the first errors and bad files. */
export function formatSoakReport(report: SoakReport): string {
  const { ls, get, put } = report.transfers;
  const memory = report.peakRssBytes !== undefined
    ? `peak server RSS ${formatBytes(report.peakRssBytes)} (VmHWM)`
    : `largest RSS ${formatBytes(report.maxRssBytes ?? 0)} (server and clients in one process)`;
  const bad = [
    ...report.lost.map((name) => `  lost: ${name}`),
    ...report.corrupt.map((name) => `  corrupt: ${name}`),
    ...report.debris.map((name) => `  temp file left: ${name}`),
  ];
  return [
    `soak: ${report.clients} clients, ${report.sessions} sessions, ${ls + get + put} transfers ` +
    `(ls ${ls}, get ${get}, put ${put}) in ${(report.durationMs / 1000).toFixed(1)} s` +
    (report.timedOut ? ", stopped by the time cap" : ""),
    `soak: ${formatBytes(report.bytes)} moved (${formatRate(report.bytes, report.durationMs)}); ` +
    `${memory}; memory sampled ${report.rssSamples} times`,
    `soak: ${report.stored} files stored: ${report.lost.length} lost, ${report.corrupt.length} ` +
    `corrupt, ${report.debris.length} temp files left; ${report.errorCount} errors`,
    ...report.errors.map((message) => `  error: ${message}`),
    ...bad.slice(0, MAX_ERRORS_KEPT),
  ].join("\n");
}

/** Whether a report shows nothing wrong. */
export function soakPassed(report: SoakReport): boolean {
  const bad = report.lost.length + report.corrupt.length + report.debris.length;
  return report.errorCount === 0 && bad === 0;
}

/** Parses the command line; a usage message if it is wrong. */
function parseSoakArgs(args: string[]): SoakOptions | string {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        clients: { type: "string", default: "64" },
        ops: { type: "string", default: "300" },
        "max-size": { type: "string", default: String(1 << 20) },
        seconds: { type: "string", default: "120" },
        server: { type: "string", default: "subprocess" },
      },
    });
  } catch (error) {
    return describeError(error);
  }
  const { values } = parsed;
  const whole = (text: string) => /^\d+$/.test(text) ? Number(text) : NaN;
  const [clients, ops, seconds] = [values.clients, values.ops, values.seconds].map(whole);
  const maxSize = whole(values["max-size"]);
  const server = values.server;
  if (!(clients > 0 && ops >= 0 && maxSize >= 0 && seconds > 0)) {
    return "--clients and --seconds take whole numbers above 0, --ops and --max-size from 0";
  }
  if (server !== "subprocess" && server !== "inprocess") {
    return `--server "${server}" is not subprocess or inprocess`;
  }
  return { clients, ops, maxSize, seconds, server };
}

if (import.meta.main) {
  const options = parseSoakArgs(Deno.args);
  if (typeof options === "string") {
    console.error(`soak: ${options}`);
    Deno.exit(2);
  }
  const report = await runSoak(options);
  console.log(formatSoakReport(report));
  Deno.exit(soakPassed(report) ? 0 : 1);
}

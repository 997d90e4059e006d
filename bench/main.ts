/**
 * `deno task bench`: ferry's loopback benchmark. Makes test files in a temp folder,
 * runs the scenarios of bench/README.md (the variants of each alternating, `--runs`
 * times), prints a table of median, min and max with CPU seconds per GiB and ratios to
 * the raw copy, vsftpd and the `--baseline` checkout, and writes the same figures as
 * JSON. Not part of `deno test`.
 *
 * @module
 */

import { stat } from "node:fs/promises";
import { join } from "node:path";
import { type Group, HELP, parseOptions } from "./options.ts";
import { checkout, REPO_ROOT, stopAll } from "./processes.ts";
import { formatTable, Results, writeJson } from "./report.ts";
import { listingScenario } from "./scenarios_listing.ts";
import { latencyScenario, memoryScenario, startupScenario } from "./scenarios_system.ts";
import {
  bigTransferScenario,
  concurrentScenario,
  smallFilesScenario,
} from "./scenarios_transfer.ts";
import { resumeScenario } from "./scenarios_resume.ts";
import { treeScenario } from "./scenarios_tree.ts";
import { startVsftpd, type Vsftpd } from "./vsftpd.ts";
import { type Bench, createWorkspace, fileSystemNote } from "./workspace.ts";

const SCENARIOS: Record<Group, (bench: Bench) => Promise<void>> = {
  get: (bench) => bigTransferScenario(bench, "get"),
  put: (bench) => bigTransferScenario(bench, "put"),
  small: smallFilesScenario,
  concurrent: concurrentScenario,
  latency: latencyScenario,
  memory: memoryScenario,
  startup: startupScenario,
  tree: treeScenario,
  listing: listingScenario,
  resume: resumeScenario,
};

const NOTES = [
  "variants alternate within each scenario: run i of every variant before run i+1 of any",
  "ratios = this figure's median ÷ the named figure's median; for MB/s and files/s above 1 " +
  "is better, for ms and MiB below 1 is better",
  "CPU s/GiB = user + system CPU seconds of the client and server processes per 2^30 bytes " +
  "moved (median): /proc/PID/stat for servers and this process (the library client), " +
  "getrusage via bench/rusage.py for CLI clients and curl; vsftpd's session processes included; " +
  "in steps of 10 ms (1/CLK_TCK), so ±0.3 s/GiB on a 32 MiB transfer",
  "ferry hashes on both ends (plain rows SHA-256 unless they say xxh128, secure rows xxh128 " +
  "unless they say sha256: PROTOCOL.md §17) and flushes + links every stored file; raw rows do " +
  "none of that (+ fdatasync rows flush), and vsftpd/curl/ftplib neither hash nor flush",
  "library-client and ftplib rows time the session only; CLI-client and curl rows time the " +
  "whole process, spawn to exit (Deno's start-up included); curl sometimes waits 200 ms " +
  "before its passive data connection when the CPUs are busy (a curl timer): see its min",
];

function loadAverage(): string {
  return Deno.loadavg().map((value) => value.toFixed(2)).join(" ");
}

async function git(dir: string): Promise<string> {
  const args = ["-C", dir, "log", "-1", "--format=%h %s"];
  const output = await new Deno.Command("git", { args, stderr: "null" }).output().catch(() => null);
  return output?.success ? new TextDecoder().decode(output.stdout).trim() : "not a git checkout";
}

/** Set once Ctrl-C (or a stray rejection) is stopping everything; it ends with the exit. */
let aborting: Promise<never> | undefined;

async function run(args: string[]): Promise<number> {
  let options;
  try {
    options = parseOptions(args, REPO_ROOT);
  } catch (error) {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  if (!options) {
    console.log(HELP);
    return 0;
  }
  if (options.baseline && !(await stat(join(options.baseline, "main.ts")).catch(() => null))) {
    throw new Error(`--baseline ${options.baseline} has no main.ts`);
  }
  const started = performance.now();
  const loadBefore = loadAverage();
  const results = new Results();
  console.error("bench: writing test files");
  await using workspace = await createWorkspace(options);
  // Children first: a tmpfs cannot be unmounted while a server still has files open.
  const abort = (code: number, why: string) => {
    console.error(`bench: ${why}; stopping children and removing the temp folder`);
    aborting ??= stopAll().then(() => workspace[Symbol.asyncDispose]()).catch(() => {})
      .then(() => Deno.exit(code));
  };
  const onSignal = () => abort(130, "interrupted");
  const onUnhandled = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    abort(1, String(event.reason?.message ?? event.reason));
  };
  Deno.addSignalListener("SIGINT", onSignal);
  globalThis.addEventListener("unhandledrejection", onUnhandled);
  try {
    results.note(
      `${navigator.hardwareConcurrency} cores; load average (1, 5, 15 min) before: ${loadBefore}`,
    );
    results.note(fileSystemNote(workspace));
    let vsftpd: Vsftpd | undefined;
    if (options.compare !== false) {
      const started = await startVsftpd(workspace);
      if (typeof started === "string" && options.compare === true) throw new Error(started);
      if (typeof started === "string") results.note(started);
      else vsftpd = started;
    }
    const baseline = options.baseline ? checkout(options.baseline) : undefined;
    if (baseline) results.note(`baseline: ${baseline.dir} (${await git(baseline.dir)})`);
    try {
      const bench: Bench = { options, workspace, results, vsftpd, baseline };
      for (const [group, scenario] of Object.entries(SCENARIOS)) {
        if (!options.only.has(group as Group)) continue;
        const groupStarted = performance.now();
        console.error(`bench: ${group}`);
        await scenario(bench);
        const seconds = (performance.now() - groupStarted) / 1000;
        console.error(`bench: ${group} took ${seconds.toFixed(1)} s`);
      }
    } finally {
      await vsftpd?.[Symbol.asyncDispose]();
    }
    for (const text of NOTES) results.note(text);
    const loadAfter = loadAverage();
    results.note(`load average after: ${loadAfter}; other work on the machine makes figures noisy`);
    console.log(formatTable(results));
    const seconds = (performance.now() - started) / 1000;
    await writeJson(options.json, results, {
      date: new Date().toISOString(),
      seconds,
      deno: Deno.version,
      os: `${Deno.build.os} ${Deno.osRelease()} ${Deno.build.arch}`,
      cpus: navigator.hardwareConcurrency,
      memoryBytes: Deno.systemMemoryInfo().total,
      loadAverage: { before: loadBefore, after: loadAfter },
      fileSystem: workspace.fileSystem ?? null,
      options: { ...options, only: [...options.only] },
      current: await git(REPO_ROOT),
      compared: vsftpd?.versions ?? null,
    });
    console.error(`bench: done in ${seconds.toFixed(1)} s; figures written to ${options.json}`);
    return 0;
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
    globalThis.removeEventListener("unhandledrejection", onUnhandled);
    await stopAll();
  }
}

if (import.meta.main) {
  const code = await run(Deno.args).catch((error) => {
    // What fails because Ctrl-C is stopping the children is no news: wait for the exit.
    if (aborting) return aborting;
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  });
  Deno.exit(code);
}

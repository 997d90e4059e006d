/**
 * `deno task bench`: ferry's loopback benchmark. Makes test files in a temp folder,
 * runs the scenarios of bench/README.md (each `--runs` times), prints a table of
 * median, min and max with ratios to the raw-loopback baseline and to vsftpd, and
 * writes the same figures as JSON. Not part of `deno test`.
 *
 * @module
 */

import { join } from "node:path";
import { type Group, HELP, parseOptions } from "./options.ts";
import { REPO_ROOT, stopAll } from "./processes.ts";
import { formatTable, Results, writeJson } from "./report.ts";
import { latencyScenario, memoryScenario, startupScenario } from "./scenarios_system.ts";
import {
  concurrentScenario,
  getScenario,
  putScenario,
  smallFilesScenario,
} from "./scenarios_transfer.ts";
import { startVsftpd, type Vsftpd } from "./vsftpd.ts";
import { type Bench, createWorkspace, fileSystemNote } from "./workspace.ts";

const SCENARIOS: [Group, (bench: Bench) => Promise<void>][] = [
  ["get", getScenario],
  ["put", putScenario],
  ["small", smallFilesScenario],
  ["concurrent", concurrentScenario],
  ["latency", latencyScenario],
  ["memory", memoryScenario],
  ["startup", startupScenario],
];

const GENERAL_NOTES = [
  "ratio = this figure's median ÷ its baseline's median (named after the ratio); for MB/s " +
  "and files/s above 1 is better, for ms and MiB below 1 is better; vs vsftpd likewise",
  "ferry rows use a `ferry serve` subprocess and the library client in this process, so " +
  "server and client each have a JS thread; the in-process rows share one",
  "ferry get/put hash SHA-256 on both ends and fdatasync + link the file (client side for " +
  "get, server side for put); the raw rows do none of that unless marked + fdatasync, and " +
  "vsftpd/curl/ftplib neither hash nor sync",
  "curl rows time the whole curl process, spawn to exit; ftplib rows time the RETR loop only; " +
  "separate curl processes sometimes stall 200 ms before a passive data connection when the " +
  "CPUs are busy (a curl timer, not vsftpd), so vs vsftpd for scenario 5 uses curl -Z",
];

function loadAverage(): string {
  try {
    return Deno.loadavg().map((value) => value.toFixed(2)).join(" ");
  } catch {
    return "unknown";
  }
}

async function run(args: string[]): Promise<number> {
  let options;
  try {
    options = parseOptions(args, join(REPO_ROOT, "bench", "results", "latest.json"));
  } catch (error) {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  if (!options) {
    console.log(HELP);
    return 0;
  }
  const started = performance.now();
  const loadBefore = loadAverage();
  const results = new Results();
  console.error("bench: writing test files");
  await using workspace = await createWorkspace(options);
  const onSignal = () => {
    console.error("bench: interrupted; stopping children and removing the temp folder");
    stopAll().finally(() => {
      Deno.removeSync(workspace.root, { recursive: true });
      Deno.exit(130);
    });
  };
  Deno.addSignalListener("SIGINT", onSignal);
  const onUnhandled = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    console.error(`bench: ${event.reason instanceof Error ? event.reason.message : event.reason}`);
    stopAll().finally(() => {
      Deno.removeSync(workspace.root, { recursive: true });
      Deno.exit(1);
    });
  };
  globalThis.addEventListener("unhandledrejection", onUnhandled);
  try {
    const where = fileSystemNote(workspace);
    if (where) results.note(where);
    let vsftpd: Vsftpd | undefined;
    if (options.compare) {
      vsftpd = await startVsftpd(workspace, results).catch((error) => {
        results.note(`vsftpd could not be started, comparisons skipped: ${error.message}`);
        return undefined;
      });
    }
    try {
      const bench: Bench = { options, workspace, results, vsftpd };
      for (const [group, scenario] of SCENARIOS) {
        if (!options.only.has(group)) continue;
        if (group === "memory" && Deno.build.os !== "linux") {
          results.note("memory scenario skipped: it reads /proc, which only Linux has");
          continue;
        }
        const groupStarted = performance.now();
        console.error(`bench: ${group}`);
        await scenario(bench);
        console.error(
          `bench: ${group} took ${((performance.now() - groupStarted) / 1000).toFixed(1)} s`,
        );
      }
    } finally {
      await vsftpd?.[Symbol.asyncDispose]();
    }
    for (const kind of ["get", "put"]) {
      const ratio = results.ratio(`ferry.${kind}`, `raw.${kind}_sync`);
      if (ratio !== undefined) {
        results.note(`ferry ${kind} ÷ raw ${kind} + fdatasync: ${ratio.toFixed(2)}×`);
      }
    }
    for (const text of GENERAL_NOTES) results.note(text);
    const loadAfter = loadAverage();
    results.note(
      `load average before/after: ${loadBefore} / ${loadAfter} on ` +
        `${navigator.hardwareConcurrency} cores; other work on the machine makes figures noisy`,
    );
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
      tempFolder: workspace.root,
      fileSystem: workspace.fileSystem ?? null,
      options: { ...options, only: [...options.only] },
      reported: "ferry serve subprocess, library client in the benchmark process",
      compared: vsftpd?.versions ?? null,
    });
    console.error(`bench: done in ${seconds.toFixed(1)} s; figures written to ${options.json}`);
    return 0;
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
    globalThis.removeEventListener("unhandledrejection", onUnhandled);
  }
}

if (import.meta.main) {
  const code = await run(Deno.args).catch(async (error) => {
    await stopAll();
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  });
  Deno.exit(code);
}

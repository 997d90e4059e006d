/**
 * Scenarios 1 to 5: moving bytes. The raw-loopback baselines (socket to file with
 * 4 MiB buffers, no protocol), ferry `get` and `put` of the big file, many small
 * files over one session, and many clients at once; each with its vsftpd
 * counterpart when vsftpd is running.
 *
 * @module
 */

import { join } from "node:path";
import { connect } from "../src/client_session.ts";
import { mbPerSecond, repeat } from "./measure.ts";
import { formatBytes } from "./options.ts";
import { startFerryProcess, startRawPeer } from "./processes.ts";
import { HOST, removeAll, resetFolder } from "./system.ts";
import { bufferFor, ferryTransfer, rawReceive, rawSend, type ServerPlace } from "./transfers.ts";
import { curlConcurrent, curlGet, curlParallel, curlPut, ftplibFetch } from "./vsftpd.ts";
import type { Bench, TestFile } from "./workspace.ts";

/** Scenarios 1 and 2: raw and ferry `get` of the big file, and curl from vsftpd. */
export async function getScenario(bench: Bench): Promise<void> {
  const { options, workspace, results, vsftpd } = bench;
  const { big, local } = workspace;
  const size = formatBytes(big.size);
  for (const sync of [false, true]) {
    await using peer = await startRawPeer(["send", big.path]);
    const label = `raw loopback get ${size}${sync ? " + fdatasync" : " (ceiling)"}`;
    const samples = await repeat(options.runs, { label }, async (run) => {
      const path = join(local, `raw-${run}.bin`);
      const started = performance.now();
      const bytes = await rawReceive(peer.port, path, sync, bufferFor(big.size));
      const ms = performance.now() - started;
      await removeAll(path);
      if (bytes !== big.size) throw new Error(`The raw peer sent ${bytes} of ${big.size} bytes`);
      return mbPerSecond(bytes, ms);
    });
    const spec = { scenario: 1, unit: "MB/s", higherIsBetter: true, label };
    const ids = sync ? { id: "raw.get_sync", tag: "raw+sync" } : { id: "raw.get", tag: "raw" };
    results.add({ ...spec, ...ids }, samples);
  }
  await ferryBigTransfer(bench, "get");
  if (vsftpd?.curl) {
    const label = `vsftpd + curl get ${size}`;
    const samples = await repeat(options.runs, { label }, async (run) => {
      const ms = await curlGet(vsftpd, big, join(local, `curl-${run}.bin`));
      await removeAll(join(local, `curl-${run}.bin`));
      return mbPerSecond(big.size, ms);
    });
    const spec = { scenario: 2, unit: "MB/s", higherIsBetter: true, label, baseline: "raw.get" };
    results.add({ ...spec, id: "vsftpd.get" }, samples);
  }
}

/** Scenarios 1 and 3: raw and ferry `put` of the big file, and curl to vsftpd. */
export async function putScenario(bench: Bench): Promise<void> {
  const { options, workspace, results, vsftpd } = bench;
  const { big, sink, served } = workspace;
  const size = formatBytes(big.size);
  for (const sync of [false, true]) {
    await using peer = await startRawPeer(["sink", sink, ...(sync ? ["--sync"] : [])]);
    const label = `raw loopback put ${size}${sync ? " + fdatasync" : " (ceiling)"}`;
    const samples = await repeat(options.runs, { label }, async () => {
      const started = performance.now();
      await rawSend(peer.port, big.path);
      const ms = performance.now() - started;
      await resetFolder(sink);
      return mbPerSecond(big.size, ms);
    });
    const spec = { scenario: 1, unit: "MB/s", higherIsBetter: true, label };
    const ids = sync ? { id: "raw.put_sync", tag: "raw+sync" } : { id: "raw.put", tag: "raw" };
    results.add({ ...spec, ...ids }, samples);
  }
  await ferryBigTransfer(bench, "put");
  if (vsftpd?.curl) {
    const label = `vsftpd + curl put ${size}`;
    const samples = await repeat(options.runs, { label }, async (run) => {
      const ms = await curlPut(vsftpd, big, `curl-up-${run}.bin`);
      await removeAll(join(served, `curl-up-${run}.bin`));
      return mbPerSecond(big.size, ms);
    });
    const spec = { scenario: 3, unit: "MB/s", higherIsBetter: true, label, baseline: "raw.put" };
    results.add({ ...spec, id: "vsftpd.put" }, samples);
  }
}

async function ferryBigTransfer(bench: Bench, kind: "get" | "put"): Promise<void> {
  const { options, workspace, results } = bench;
  const size = formatBytes(workspace.big.size);
  const places: ServerPlace[] = options.inProcess ? ["process", "in-process"] : ["process"];
  for (const place of places) {
    const where = place === "process" ? "server subprocess" : "server in-process";
    const label = `ferry ${kind} ${size} (${where})`;
    const peaks: number[] = [];
    const samples = await repeat(options.runs, { label }, async (run) => {
      const sample = await ferryTransfer(bench, kind, workspace.big, place, run);
      if (sample.peakKiB !== undefined) peaks.push(sample.peakKiB);
      return sample.mbPerSecond;
    });
    const id = place === "process" ? `ferry.${kind}` : `ferry.${kind}_in_process`;
    const scenario = kind === "get" ? 2 : 3;
    const baseline = `raw.${kind}`;
    const unit = "MB/s";
    results.add(
      { id, scenario, label, unit, higherIsBetter: true, baseline, vsftpd: `vsftpd.${kind}` },
      samples,
    );
    if (peaks.length === 0) continue;
    results.add({
      id: `ferry.peak_rss_${kind}_big`,
      scenario: 7,
      label: `ferry server peak RSS, one ${kind} of ${size}`,
      tag: size,
      unit: "MiB",
      higherIsBetter: false,
      baseline: `ferry.peak_rss_${kind}_mib`,
    }, peaks.map((kib) => kib / 1024));
  }
}

/** Scenario 4: many small files fetched one by one over one session. */
export async function smallFilesScenario(bench: Bench): Promise<void> {
  const { options, workspace, results, vsftpd } = bench;
  const { small, local } = workspace;
  const what = `${small.length} × ${formatBytes(options.smallSize)}`;
  const spec = { scenario: 4, unit: "files/s", higherIsBetter: true };
  // Each run times fetching every file; a few files first warm up the JIT and caches.
  const measure = async (label: string, fetchAll: (files: TestFile[]) => Promise<number>) => {
    await fetchAll(small.slice(0, 20));
    await resetFolder(local);
    return await repeat(options.runs, { label }, async () => {
      const ms = await fetchAll(small);
      await resetFolder(local);
      return small.length / (ms / 1000);
    });
  };
  {
    await using peer = await startRawPeer(["send", small[0].path]);
    const buffer = bufferFor(options.smallSize);
    const label = `raw loopback ${what}, one connection each`;
    const samples = await measure(label, async (files) => {
      const started = performance.now();
      for (const file of files) {
        await rawReceive(peer.port, join(local, file.name), false, buffer);
      }
      return performance.now() - started;
    });
    results.add({ ...spec, id: "raw.small", tag: "raw", label }, samples);
  }
  {
    await using server = await startFerryProcess(workspace.served);
    const label = `ferry get ${what}, one session`;
    const samples = await measure(label, async (files) => {
      const client = await connect({ hostname: HOST, port: server.port });
      try {
        const started = performance.now();
        for (const file of files) {
          const result = await client.get(file.name, local);
          if (!result.verified) throw new Error(`The ferry get of ${file.name} was not verified`);
        }
        return performance.now() - started;
      } finally {
        await client.quit();
      }
    });
    const ids = { id: "ferry.small", baseline: "raw.small", vsftpd: "vsftpd.small" };
    results.add({ ...spec, ...ids, label }, samples);
  }
  if (vsftpd?.python) {
    const label = `vsftpd + python3 ftplib ${what}, one session`;
    const samples = await measure(label, async (files) => {
      const names = files.map((file) => file.name);
      return 1000 * await ftplibFetch(vsftpd, names, local);
    });
    results.add({ ...spec, id: "vsftpd.small", label, baseline: "raw.small" }, samples);
  }
}

/** Scenario 5: many clients fetching at once; aggregate throughput. */
export async function concurrentScenario(bench: Bench): Promise<void> {
  const { options, workspace, results, vsftpd } = bench;
  const { perClient, local } = workspace;
  const clients = Array.from({ length: options.clients }, (_, i) => i);
  const what = `${options.clients} clients × ${formatBytes(perClient.size)}`;
  const spec = { scenario: 5, unit: "MB/s", higherIsBetter: true };
  const aggregate = (ms: number) => mbPerSecond(clients.length * perClient.size, ms);
  {
    await using peer = await startRawPeer(["send", perClient.path]);
    const label = `raw loopback ${what}`;
    const samples = await repeat(options.runs, { label }, async () => {
      const started = performance.now();
      const receive = (i: number) =>
        rawReceive(peer.port, join(local, `raw-${i}`), false, bufferFor(perClient.size));
      await Promise.all(clients.map(receive));
      const ms = performance.now() - started;
      await resetFolder(local);
      return aggregate(ms);
    });
    results.add({ ...spec, id: "raw.concurrent", tag: "raw", label }, samples);
  }
  {
    await using server = await startFerryProcess(workspace.served, options.clients);
    const label = `ferry get ${what}`;
    const samples = await repeat(options.runs, { label }, async () => {
      const started = performance.now();
      await Promise.all(clients.map(async (i) => {
        const client = await connect({ hostname: HOST, port: server.port });
        try {
          const result = await client.get(perClient.name, join(local, `ferry-${i}.bin`));
          if (result.sha256 !== perClient.sha256) throw new Error("A concurrent get is corrupt");
        } finally {
          await client.quit();
        }
      }));
      const ms = performance.now() - started;
      await resetFolder(local);
      return aggregate(ms);
    });
    const ids = { id: "ferry.concurrent", baseline: "raw.concurrent", vsftpd: "vsftpd.concurrent" };
    results.add({ ...spec, ...ids, label }, samples);
  }
  if (vsftpd?.curl) {
    const each = formatBytes(perClient.size);
    const variants = [
      { id: "vsftpd.concurrent", label: `vsftpd + curl -Z, ${options.clients} parallel × ${each}` },
      {
        id: "vsftpd.concurrent_processes",
        label: `vsftpd + ${options.clients} curl processes × ${each}`,
      },
    ];
    for (const { id, label } of variants) {
      const samples = await repeat(options.runs, { label }, async () => {
        const ms = id === "vsftpd.concurrent"
          ? await curlParallel(vsftpd, perClient, local, clients.length)
          : await curlConcurrent(vsftpd, perClient, local, clients.length);
        await resetFolder(local);
        return aggregate(ms);
      });
      results.add({ ...spec, id, label, baseline: "raw.concurrent" }, samples);
    }
  }
}

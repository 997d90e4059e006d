/**
 * Scenarios 6 to 8: connect + quit latency, the server's memory (peak RSS for a
 * small transfer, RSS per idle session) and start-up time of `ferry serve` and
 * `ferry connect`, each next to a raw-loopback (or minimal Deno program) baseline.
 *
 * @module
 */

import { median, quitAndWaitForClose, refusalRoundTrip, repeat } from "./measure.ts";
import {
  type Child,
  FERRY_FLAGS,
  RAW_PEER,
  spawnDeno,
  startFerryProcess,
  startRawPeer,
} from "./processes.ts";
import { ferryTransfer } from "./transfers.ts";
import { connectWhenUp, freeFixedPort, HOST, processMemory, readToEnd, sleep } from "./system.ts";
import { ftpConnectQuit } from "./vsftpd.ts";
import type { Bench } from "./workspace.ts";

/** Scenario 6: open a control connection, quit, and wait for the server to close it. */
export async function latencyScenario(bench: Bench): Promise<void> {
  const { options, workspace, results, vsftpd } = bench;
  const count = options.latencyCount;
  const spec = { scenario: 6, unit: "ms", higherIsBetter: false };
  const medianOf = async (once: () => Promise<number>) => {
    const times: number[] = [];
    for (let i = 0; i < count; i++) times.push(await once());
    return median(times);
  };
  {
    await using peer = await startRawPeer(["close"]);
    const label = `raw TCP connect + 14 bytes + peer close (median of ${count})`;
    const samples = await repeat(options.runs, { label, warmup: 1 }, () =>
      medianOf(async () => {
        const started = performance.now();
        using conn = await Deno.connect({ hostname: HOST, port: peer.port });
        await quitAndWaitForClose(conn);
        return performance.now() - started;
      }));
    results.add({ ...spec, id: "raw.latency", tag: "raw", label }, samples);
  }
  {
    await using server = await startFerryProcess(workspace.served);
    const label = `ferry connect + quit until closed (median of ${count})`;
    const samples = await repeat(options.runs, { label, warmup: 1 }, () =>
      medianOf(async () => {
        const started = performance.now();
        using conn = await Deno.connect({ hostname: HOST, port: server.port });
        await quitAndWaitForClose(conn);
        return performance.now() - started;
      }));
    const ids = { id: "ferry.latency", baseline: "raw.latency", vsftpd: "vsftpd.latency" };
    results.add({ ...spec, ...ids, label }, samples);
  }
  if (vsftpd) {
    const label = `vsftpd connect + banner + QUIT until closed (median of ${count})`;
    const samples = await repeat(
      options.runs,
      { label, warmup: 1 },
      () => medianOf(() => ftpConnectQuit(vsftpd.port)),
    );
    results.add({ ...spec, id: "vsftpd.latency", label, baseline: "raw.latency" }, samples);
  }
}

/** Scenario 7: peak RSS for a 1 MiB transfer, and RSS per idle session. */
export async function memoryScenario(bench: Bench): Promise<void> {
  const { options, workspace, results } = bench;
  for (const kind of ["get", "put"] as const) {
    const label = `ferry server peak RSS, one ${kind} of 1 MiB`;
    const samples = await repeat(options.runs, { label }, async (run) => {
      const sample = await ferryTransfer(bench, kind, workspace.mebibyte, "process", run);
      return sample.peakKiB! / 1024;
    });
    const spec = { scenario: 7, unit: "MiB", higherIsBetter: false };
    results.add({ ...spec, id: `ferry.peak_rss_${kind}_mib`, tag: "1 MiB", label }, samples);
  }
  const idle = options.idleSessions;
  const base: number[] = [];
  const label = `ferry server RSS per idle session (${idle} sessions)`;
  const samples = await repeat(options.runs, { label }, async () => {
    await using server = await startFerryProcess(workspace.served, idle);
    {
      // One session first, so code that runs once per server is not billed to sessions.
      using conn = await Deno.connect({ hostname: HOST, port: server.port });
      await refusalRoundTrip(conn);
      await quitAndWaitForClose(conn);
    }
    await sleep(200);
    const before = (await processMemory(server.child.pid)).rss;
    const conns: Deno.TcpConn[] = [];
    try {
      for (let i = 0; i < idle; i += 50) {
        const batch = Array.from({ length: Math.min(50, idle - i) }, async () => {
          const conn = await Deno.connect({ hostname: HOST, port: server.port });
          conns.push(conn);
          const message = await refusalRoundTrip(conn);
          if (!/unknown command/i.test(message)) {
            throw new Error(`The server turned an idle session away: ${message}`);
          }
        });
        await Promise.all(batch);
      }
      await sleep(200);
      const after = (await processMemory(server.child.pid)).rss;
      base.push(before / 1024);
      return (after - before) / idle;
    } finally {
      conns.forEach((conn) => conn.close());
    }
  });
  const spec = { scenario: 7, higherIsBetter: false };
  results.add({
    ...spec,
    id: "ferry.rss_idle_server",
    label: "ferry server RSS, idle",
    unit: "MiB",
  }, base);
  results.add({ ...spec, id: "ferry.rss_per_session", label, unit: "KiB" }, samples);
}

/** Spawns a server, then times its first printed line and its first answered connection. */
async function timeServerStart(
  start: (port: number) => Child,
  answer: (conn: Deno.Conn) => Promise<unknown>,
): Promise<{ line: number; answered: number }> {
  const port = await freeFixedPort();
  const started = performance.now();
  const child = start(port);
  try {
    const lineAt = child.firstLine().then(() => performance.now());
    lineAt.catch(() => {}); // Awaited below; an earlier failure must not leave it unhandled.
    using conn = await connectWhenUp(port, 20_000);
    await answer(conn);
    const answered = performance.now() - started;
    return { line: (await lineAt) - started, answered };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${child.name} did not start: ${reason}; it printed: ${child.output()}`);
  } finally {
    await child.stop();
  }
}

/** Spawns a client, then times its first stdout bytes and its exit. */
async function timeClientRun(start: () => Child): Promise<{ firstByte: number; exit: number }> {
  const started = performance.now();
  const child = start();
  try {
    const firstAt = await Promise.race([child.firstOutputAt(), child.status.then(() => NaN)]);
    const status = await child.status;
    const exit = performance.now() - started;
    if (!status.success || Number.isNaN(firstAt)) {
      throw new Error(`${child.name} failed: ${child.output()}`);
    }
    return { firstByte: firstAt - started, exit };
  } finally {
    await child.stop();
  }
}

/** Scenario 8: process start-up of `ferry serve` and `ferry connect -c ls`. */
export async function startupScenario(bench: Bench): Promise<void> {
  const { options, workspace, results } = bench;
  const spec = { scenario: 8, unit: "ms", higherIsBetter: false };
  const record = async (
    what: string,
    measure: () => Promise<Record<string, number>>,
    figures: { key: string; id: string; label: string; baseline?: string; tag?: string }[],
  ) => {
    const samples: Record<string, number[]> = {};
    await repeat(options.runs, { label: what, warmup: 1 }, async (run) => {
      const values = await measure();
      if (run >= 1) {
        for (const [key, value] of Object.entries(values)) (samples[key] ??= []).push(value);
      }
      return values[figures[0].key];
    });
    for (const { key, ...figure } of figures) {
      const tag = figure.id.startsWith("raw.") ? "raw" : undefined;
      results.add({ ...spec, ...figure, tag }, samples[key]);
    }
  };
  const rawArgs = (port: number) => ["send", workspace.empty.path, "--port", `${port}`];
  const rawListener = (port: number) => spawnDeno("raw peer", FERRY_FLAGS, RAW_PEER, rawArgs(port));
  await record("raw deno listener start-up", () => timeServerStart(rawListener, readToEnd), [
    {
      key: "answered",
      id: "raw.startup_listen",
      label: "minimal Deno listener: spawn → connection answered",
    },
    {
      key: "line",
      id: "raw.startup_listen_line",
      label: "minimal Deno listener: spawn → port printed",
    },
  ]);
  const serveArgs = (
    port: number,
  ) => ["serve", workspace.startup, "--host", HOST, "--port", `${port}`];
  const serve = (port: number) => spawnDeno("ferry serve", FERRY_FLAGS, "main.ts", serveArgs(port));
  await record("ferry serve start-up", () => timeServerStart(serve, refusalRoundTrip), [
    {
      key: "answered",
      id: "ferry.startup_serve",
      label: "ferry serve: spawn → first command answered",
      baseline: "raw.startup_listen",
    },
    {
      key: "line",
      id: "ferry.startup_serve_line",
      label: "ferry serve: spawn → address printed",
      baseline: "raw.startup_listen_line",
    },
  ]);
  {
    await using peer = await startRawPeer(["send", workspace.empty.path]);
    const fetch = () => spawnDeno("raw fetch", FERRY_FLAGS, RAW_PEER, ["fetch", `${peer.port}`]);
    await record("raw deno client start-up", () => timeClientRun(fetch), [
      {
        key: "firstByte",
        id: "raw.startup_client",
        label: "minimal Deno client: spawn → first stdout byte",
      },
      { key: "exit", id: "raw.startup_client_exit", label: "minimal Deno client: spawn → exit" },
    ]);
  }
  {
    await using server = await startFerryProcess(workspace.startup);
    const args = ["connect", HOST, `${server.port}`, "-c", "ls"];
    const client = () => spawnDeno("ferry connect", FERRY_FLAGS, "main.ts", args);
    await record("ferry connect start-up", () => timeClientRun(client), [
      {
        key: "firstByte",
        id: "ferry.startup_connect",
        label: "ferry connect -c ls: spawn → first stdout byte",
        baseline: "raw.startup_client",
      },
      {
        key: "exit",
        id: "ferry.startup_connect_exit",
        label: "ferry connect -c ls: spawn → exit",
        baseline: "raw.startup_client_exit",
      },
    ]);
  }
}

/**
 * Scenarios 5 to 7: connect + quit latency, the server's memory (peak RSS for a small
 * transfer, RSS per idle session) and the start-up of `ferry serve` and `ferry connect`,
 * each next to a raw-loopback (or minimal Deno program) baseline where one makes sense.
 * Variants alternate run by run, as in the transfer scenarios.
 *
 * @module
 */

import { formatBytes } from "../src/common/sizes.ts";
import { PERMISSIONS, spawnChild } from "../tests/support/ferry_process.ts";
import { RawClient, refusalOf } from "../tests/support/helpers.ts";
import { Peer } from "../tests/support/peer.ts";
import { processMemory } from "../tests/support/proc.ts";
import { alternate, type Measured, type Variant } from "./measure.ts";
import {
  checkout,
  type Child,
  type FerryServer,
  HOST,
  RAW_PEER,
  startFerry,
  startRawPeer,
  track,
} from "./processes.ts";
import { figureMaker, goalNote, median } from "./report.ts";
import { ferryTransfer, libraryConnect } from "./transfers.ts";
import { connectQuit } from "./vsftpd.ts";
import type { Bench } from "./workspace.ts";

/** Sends ferry's `quit` frame (14 bytes) and waits for the peer to close. */
async function quitRoundTrip(port: number): Promise<void> {
  using peer = await Peer.connect(port);
  await peer.sendFrame("quit");
  if (!(await peer.reader.closesWithin(5_000))) throw new Error(`Port ${port} did not close`);
}

/** Sends a command ferry does not know and reads the refusal: proof a session is served. */
async function refusalRoundTrip(port: number, raw?: RawClient): Promise<void> {
  const client = raw ?? await RawClient.connect(port);
  await client.command("noop");
  const message = refusalOf(await client.reply());
  if (!raw) client.close();
  if (!/unknown command/i.test(message)) throw new Error(`The server said: ${message}`);
}

/**
 * Opens a library-client session (plain: then asks for `feat`; secure: TLS, pinning,
 * `feat` and `auth` are part of connecting), and returns the milliseconds until that
 * first reply; quitting afterwards is not timed.
 */
async function firstReply(server: FerryServer): Promise<number> {
  const started = performance.now();
  const client = await libraryConnect(server);
  try {
    if (!server.secure) await client.features();
    return performance.now() - started;
  } finally {
    await client.quit();
  }
}

/**
 * Scenario 5: open a control connection, quit, and wait for the server to close it;
 * and a library client's session from connecting to its first reply, plain and secure.
 */
export async function latencyScenario(bench: Bench): Promise<void> {
  const { options, workspace, results, vsftpd } = bench;
  const count = options.latencyCount;
  const figure = figureMaker("latency", 5, "ms");
  const medianOf = (once: () => Promise<number>) => async (): Promise<Measured> => {
    const times: number[] = [];
    for (let i = 0; i < count; i++) times.push(await once());
    return { values: [median(times)] };
  };
  const timeOf = (once: () => Promise<void>) => async () => {
    const started = performance.now();
    await once();
    return performance.now() - started;
  };
  await using peer = await startRawPeer(["close"]);
  await using server = await startFerry(workspace.served);
  await using secure = await startFerry(workspace.served, { secure: workspace.secure });
  const what = `(median of ${count})`;
  const variants: Variant[] = [
    {
      figures: [figure("raw", `raw TCP connect + 14 bytes + peer close ${what}`, { tag: "raw" })],
      run: medianOf(timeOf(() => quitRoundTrip(peer.port))),
    },
    {
      figures: [figure("ferry", `ferry connect + quit until closed ${what}`, {
        vs: ["latency.raw", "latency.vsftpd"],
      })],
      run: medianOf(timeOf(() => quitRoundTrip(server.port))),
    },
    {
      figures: [figure("first_reply", `ferry plain: connect + feat, until its reply ${what}`, {
        tag: "plain",
      })],
      run: medianOf(() => firstReply(server)),
    },
    {
      figures: [figure(
        "first_reply_secure",
        `ferry secure: connect + TLS + feat + auth, until auth's reply ${what}`,
        { vs: ["latency.first_reply"] },
      )],
      run: medianOf(() => firstReply(secure)),
    },
  ];
  if (vsftpd) {
    const label = `vsftpd connect + banner + QUIT until closed ${what}`;
    variants.push({
      figures: [figure("vsftpd", label, { tag: "vsftpd", vs: ["latency.raw"] })],
      run: medianOf(timeOf(() => connectQuit(vsftpd.port))),
    });
  }
  await alternate(options.runs, results, variants, 1);
  const ids: [string, string] = ["latency.first_reply_secure", "latency.first_reply"];
  goalNote(results, ids, "secure ÷ plain connect until the first reply", { atMost: 2 });
}

/** RSS per idle session (KiB) and of the idle server (MiB), from a fresh server. */
async function idleSessions(bench: Bench): Promise<Measured> {
  const idle = bench.options.idleSessions;
  await using server = await startFerry(bench.workspace.served, { sessions: idle });
  // One session first, so what runs once per server is not billed to the sessions.
  await refusalRoundTrip(server.port);
  const rss = async () => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const memory = await processMemory(server.pid);
    if (!memory) throw new Error(`Cannot read the memory of process ${server.pid}`);
    return memory.rss;
  };
  const before = await rss();
  const clients: RawClient[] = [];
  try {
    for (let i = 0; i < idle; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, idle - i) }, async () => {
        const client = await RawClient.connect(server.port);
        clients.push(client);
        await refusalRoundTrip(server.port, client);
      }));
    }
    return { values: [(await rss() - before) / 1024 / idle, before / 2 ** 20] };
  } finally {
    clients.forEach((client) => client.close());
  }
}

/** Scenario 6: the server's peak RSS for a 1 MiB transfer, and its RSS per idle session. */
export async function memoryScenario(bench: Bench): Promise<void> {
  const { options, workspace, results } = bench;
  const file = workspace.mebibyte;
  const figure = figureMaker("memory", 6, "MiB");
  const size = formatBytes(file.size);
  const variants: Variant[] = (["get", "put"] as const).map((kind) => ({
    figures: [figure(`peak_rss_${kind}`, `ferry server peak RSS, one ${kind} of ${size}`, {
      tag: size,
    })],
    run: async (run) => ({ values: (await ferryTransfer(bench, file, { kind, run })).extra! }),
  }));
  variants.push({
    figures: [
      figure("rss_per_session", `ferry server RSS per idle session (${options.idleSessions})`, {
        unit: "KiB",
      }),
      figure("rss_idle", "ferry server RSS, idle"),
    ],
    run: () => idleSessions(bench),
  });
  await alternate(options.runs, results, variants);
}

/** Times a server from spawn to its port printed, and to its first connection answered. */
async function serverStart(
  start: () => Promise<Child & { port: number }>,
  answer: (port: number) => Promise<void>,
): Promise<Measured> {
  const started = performance.now();
  await using server = await start();
  const line = performance.now() - started;
  await answer(server.port);
  return { values: [performance.now() - started, line] };
}

/** Times `deno run PERMISSIONS ARGS` from spawn to its first stdout line, and to its exit. */
async function clientStart(args: string[], cwd?: string): Promise<Measured> {
  const started = performance.now();
  await using child = track(
    await spawnChild(Deno.execPath(), ["run", ...PERMISSIONS, ...args], { cwd }),
  );
  const line = performance.now() - started;
  const { code } = await child.status;
  if (code !== 0 || !child.banner) throw new Error(`${args.join(" ")} failed with ${code}`);
  return { values: [line, performance.now() - started] };
}

/** Scenario 7: process start-up of `ferry serve` and of `ferry connect -c ls`. */
export async function startupScenario(bench: Bench): Promise<void> {
  const { options, workspace, results, baseline } = bench;
  const figure = figureMaker("startup", 7, "ms");
  const closes = async (port: number) => {
    using peer = await Peer.connect(port);
    await peer.reader.closesWithin(5_000);
  };
  await using peer = await startRawPeer(["send", workspace.empty]);
  const variants: Variant[] = [
    {
      figures: [
        figure("listen", "minimal Deno listener: spawn → connection answered", { tag: "raw" }),
        figure("listen_line", "minimal Deno listener: spawn → port printed", { tag: "raw" }),
      ],
      run: () => serverStart(() => startRawPeer(["send", workspace.empty]), closes),
    },
    {
      figures: [
        figure("client", "minimal Deno client: spawn → first stdout line", { tag: "raw" }),
        figure("client_exit", "minimal Deno client: spawn → exit", { tag: "raw" }),
      ],
      run: () => clientStart([RAW_PEER, "fetch", String(peer.port)]),
    },
  ];
  const rows = [
    ["serve", "listen", "serve: spawn → first command answered"],
    ["serve_line", "listen_line", "serve: spawn → address printed"],
    ["connect", "client", "connect -c ls: spawn → first stdout line"],
    ["connect_exit", "client_exit", "connect -c ls: spawn → exit"],
  ];
  await using stack = new AsyncDisposableStack();
  for (const source of baseline ? [checkout(), baseline] : [checkout()]) {
    const spec = ([id, raw, what]: string[]) =>
      source === baseline
        ? figure(`${id}_baseline`, `${source.name} ${what}`, {
          tag: "baseline",
          vs: [`startup.${raw}`],
        })
        : figure(id, `${source.name} ${what}`, {
          vs: [`startup.${raw}`, `startup.${id}_baseline`],
        });
    const server = stack.use(await startFerry(workspace.startup, { source }));
    const connect = [
      source.main,
      "connect",
      ...source.classic,
      HOST,
      String(server.port),
      "-c",
      "ls",
    ];
    const start = () => startFerry(workspace.startup, { source });
    variants.push(
      { figures: rows.slice(0, 2).map(spec), run: () => serverStart(start, refusalRoundTrip) },
      { figures: rows.slice(2).map(spec), run: () => clientStart(connect, source.dir) },
    );
  }
  await alternate(options.runs, results, variants, 1);
}

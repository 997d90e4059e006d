/**
 * Scenarios 1 to 4, moving bytes: `get` and `put` of the big file, many small files
 * over one session, and many clients at once. Each scenario's variants alternate run by
 * run: the raw-loopback copy (the ceiling), ferry with the library client in plain and
 * in secure mode, ferry's CLI and the `--baseline` checkout's CLI when given, and vsftpd
 * when it is running.
 *
 * @module
 */

import { join } from "node:path";
import { formatBytes } from "../src/common/sizes.ts";
import { alternate, type Timed, timed, transfer } from "./measure.ts";
import {
  type Checkout,
  checkout,
  type FerryServer,
  startFerry,
  startRawPeer,
} from "./processes.ts";
import { figureMaker, type FigureSpec, goalNote } from "./report.ts";
import {
  cliSession,
  ferryTransfer,
  libraryFetchAll,
  libraryMove,
  rawReceive,
  rawSend,
  withLibraryClient,
} from "./transfers.ts";
import { curlGet, curlParallel, curlPut, ftplibFetch } from "./vsftpd.ts";
import { type Bench, resetFolder } from "./workspace.ts";

/** `once`, then emptying `folder` of what it wrote. */
function emptying(folder: string, once: (run: number) => Promise<Timed>) {
  return async (run: number): Promise<Timed> => {
    const result = await once(run);
    await resetFolder(folder);
    return result;
  };
}

/** This checkout and the baseline, when there is one: the CLI variants. */
function cliSources(bench: Bench): Checkout[] {
  return bench.baseline ? [checkout(), bench.baseline] : [];
}

/**
 * The figure of a CLI variant: the baseline's is compared with `vs[0]` (the raw copy),
 * the current one's with the baseline first, then with `vs`.
 */
function cliFigure(
  bench: Bench,
  source: Checkout,
  figure: ReturnType<typeof figureMaker>,
  label: string,
  vs: string[],
): FigureSpec {
  const group = vs[0].split(".")[0];
  return source === bench.baseline
    ? figure("baseline", `${source.name} ${label}`, { tag: "baseline", vs: vs.slice(0, 1) })
    : figure("cli", `${source.name} ${label}`, { vs: [`${group}.baseline`, ...vs] });
}

/** Scenarios 1 and 2: `get` or `put` of the big file. */
export async function bigTransferScenario(bench: Bench, kind: "get" | "put"): Promise<void> {
  const { options, workspace, results, vsftpd } = bench;
  const { big, local, sink, served } = workspace;
  const size = formatBytes(big.size);
  const what = `${kind} ${size}`;
  const figure = figureMaker(kind, kind === "get" ? 1 : 2, "MB/s");
  const [raw, rawSync, ftp] = ["raw", "raw_sync", "vsftpd"].map((id) => `${kind}.${id}`);
  const variant = (specs: FigureSpec[], once: (run: number) => Promise<Timed>) =>
    transfer(specs, big.size, once);
  await using stack = new AsyncDisposableStack();
  // get: the peer sends, this process writes (and syncs); put: two sinks, one that syncs.
  const peers = kind === "get" ? [stack.use(await startRawPeer(["send", big.path]))] : [
    stack.use(await startRawPeer(["sink", sink])),
    stack.use(await startRawPeer(["sink", sink, "--sync"])),
  ];
  const rawCopy = (sync: boolean) => {
    const peer = peers[kind === "put" && sync ? 1 : 0];
    const move = (run: number) =>
      kind === "get"
        ? rawReceive(peer.port, big, join(local, `raw-${run}.bin`), sync)
        : rawSend(peer.port, big.path);
    const folder = kind === "get" ? local : sink;
    return emptying(folder, (run) => timed([Deno.pid, peer.pid], () => move(run)));
  };
  const peak = (mode: "plain" | "secure") =>
    figure(
      mode === "plain" ? "peak_rss" : "peak_rss_secure",
      `ferry server peak RSS, one ${kind} of ${size}, ${mode}`,
      mode === "plain"
        ? { scenario: 6, unit: "MiB", tag: "plain", vs: [`memory.peak_rss_${kind}`] }
        : { scenario: 6, unit: "MiB", vs: [`${kind}.peak_rss`] },
    );
  const variants = [
    variant([figure("raw", `raw loopback ${what} (ceiling)`, { tag: "raw" })], rawCopy(false)),
    variant(
      [figure("raw_sync", `raw loopback ${what} + fdatasync`, { tag: "raw+sync" })],
      rawCopy(true),
    ),
    variant(
      [
        figure("ferry", `ferry ${what}, library client, plain`, {
          tag: "plain",
          vs: [raw, rawSync, ftp],
        }),
        peak("plain"),
      ],
      (run) => ferryTransfer(bench, big, { kind, run }),
    ),
    variant(
      [figure("ferry_xxh128", `ferry ${what}, library client, plain, --digest xxh128`, {
        vs: [`${kind}.ferry`, raw, rawSync, ftp],
      })],
      (run) => ferryTransfer(bench, big, { kind, run, digest: "xxh128" }),
    ),
    ...(kind === "get"
      ? [variant(
        [figure("ferry_cached", `ferry ${what}, plain, xxh128, digest cached on the server`, {
          vs: [`${kind}.ferry_xxh128`, raw, ftp],
        })],
        (run) => ferryTransfer(bench, big, { kind, run, digest: "xxh128", warm: true }),
      )]
      : []),
    variant(
      [
        figure("ferry_secure", `ferry ${what}, library client, secure`, {
          vs: [`${kind}.ferry`, raw, ftp],
        }),
        peak("secure"),
      ],
      (run) => ferryTransfer(bench, big, { kind, run, secure: true }),
    ),
    variant(
      [figure("ferry_secure_sha256", `ferry ${what}, library client, secure, --digest sha256`, {
        vs: [`${kind}.ferry_secure`, `${kind}.ferry`, ftp],
      })],
      (run) => ferryTransfer(bench, big, { kind, run, secure: true, digest: "sha256" }),
    ),
  ];
  for (const source of cliSources(bench)) {
    const spec = cliFigure(bench, source, figure, `${what}, CLI client`, [raw, ftp]);
    variants.push(
      variant([spec], (run) => ferryTransfer(bench, big, { kind, run, client: source })),
    );
  }
  if (vsftpd?.curl) {
    const spec = figure("vsftpd", `vsftpd + curl ${what}`, { tag: "vsftpd", vs: [raw] });
    const name = (run: number) => `curl-${run}.bin`;
    variants.push(variant(
      [spec],
      kind === "get"
        ? emptying(local, (run) => curlGet(vsftpd, big.name, join(local, name(run))))
        : async (run) => {
          const result = await curlPut(vsftpd, big.path, name(run));
          await Deno.remove(join(served, name(run)));
          return result;
        },
    ));
  }
  await alternate(options.runs, results, variants);
  results.compareNote(`${kind}.cli`, `${kind}.baseline`, `ferry ${what}, CLI, current ÷ baseline`);
  goalNote(results, [`${kind}.ferry_secure`, `${kind}.ferry_xxh128`], `secure ÷ plain ${what}`, {
    atLeast: 0.6,
  });
  goalNote(results, [`${kind}.ferry_xxh128`, ftp], `verified ${what} ÷ vsftpd + curl`, {
    atLeast: 1,
  });
  goalNote(results, [`${kind}.ferry_xxh128`, raw], `verified ${what} ÷ raw copy`, {
    atLeast: 0.8,
  });
}

/** Scenario 3: many small files fetched one by one over one session. */
export async function smallFilesScenario(bench: Bench): Promise<void> {
  const { options, workspace, results, vsftpd, baseline } = bench;
  const { small, local, served } = workspace;
  const what = `${small.length} × ${formatBytes(options.smallSize)}`;
  const figure = figureMaker("small", 3, "files/s");
  const variant = (spec: FigureSpec, once: () => Promise<Timed>) =>
    transfer([spec], small.length * options.smallSize, emptying(local, once), small.length);
  const vs = ["small.raw", "small.ftplib"];
  await using stack = new AsyncDisposableStack();
  const peer = stack.use(await startRawPeer(["send", small[0].path]));
  const server = stack.use(await startFerry(served));
  const secure = stack.use(await startFerry(served, { secure: workspace.secure }));
  const oneByOne = (target: FerryServer) => () =>
    withLibraryClient(target, (client) =>
      timed([Deno.pid, target.pid], async () => {
        for (const file of small) await libraryMove(client, "get", file, join(local, file.name));
      }));
  const inline = (target: FerryServer) => () =>
    withLibraryClient(
      target,
      (client) => timed([Deno.pid, target.pid], () => libraryFetchAll(client, small, local)),
    );
  const variants = [
    variant(
      figure("raw", `raw loopback ${what}, a connection each`, { tag: "raw" }),
      () =>
        timed([Deno.pid, peer.pid], async () => {
          for (const file of small) await rawReceive(peer.port, file, join(local, file.name));
        }),
    ),
    variant(
      figure("ferry", `ferry get ${what}, library client, one session, plain`, {
        tag: "plain",
        vs,
      }),
      oneByOne(server),
    ),
    variant(
      figure("ferry_secure", `ferry get ${what}, library client, one session, secure`, {
        vs: ["small.ferry", ...vs],
      }),
      oneByOne(secure),
    ),
    variant(
      figure("ferry_inline", `ferry fetch ${what} inline, pipelined, one session, plain`, {
        vs: ["small.ferry", ...vs],
      }),
      inline(server),
    ),
    variant(
      figure("ferry_inline_secure", `ferry fetch ${what} inline, pipelined, one session, secure`, {
        vs: ["small.ferry_inline", ...vs],
      }),
      inline(secure),
    ),
  ];
  for (const source of cliSources(bench)) {
    const target = source === baseline ? stack.use(await startFerry(served, { source })) : server;
    const commands = small.map((file) => `get ${file.name} ${join(local, file.name)}`);
    variants.push(variant(
      cliFigure(bench, source, figure, `get ${what}, CLI client, one session`, vs),
      () => cliSession(source, target, commands, true),
    ));
  }
  if (vsftpd?.python) {
    const names = small.map((file) => file.name);
    const label = `vsftpd + python3 ftplib ${what}, one session`;
    variants.push(variant(
      figure("ftplib", label, { tag: "ftplib", vs: vs.slice(0, 1) }),
      () => ftplibFetch(vsftpd, names, local),
    ));
  }
  await alternate(options.runs, results, variants, 1);
  results.compareNote("small.cli", "small.baseline", `ferry get ${what}, CLI, current ÷ baseline`);
  goalNote(results, ["small.ferry_inline", "small.ftplib"], `${what} ÷ vsftpd + ftplib`, {
    atLeast: 1,
  });
  goalNote(results, ["small.ferry_inline_secure", "small.ferry_inline"], `secure ÷ plain ${what}`, {
    atLeast: 0.5,
  });
}

/** Scenario 4: many clients fetching at once; aggregate throughput. */
export async function concurrentScenario(bench: Bench): Promise<void> {
  const { options, workspace, results, vsftpd } = bench;
  const { perClient, local, served } = workspace;
  const clients = Array.from({ length: options.clients }, (_, i) => i);
  const what = `${options.clients} clients × ${formatBytes(perClient.size)}`;
  const figure = figureMaker("concurrent", 4, "MB/s");
  const variant = (spec: FigureSpec, once: () => Promise<Timed>) =>
    transfer([spec], clients.length * perClient.size, emptying(local, once));
  await using stack = new AsyncDisposableStack();
  const peer = stack.use(await startRawPeer(["send", perClient.path]));
  const server = stack.use(await startFerry(served, { sessions: options.clients }));
  const all = (pid: number, one: (i: number) => Promise<unknown>) => () =>
    timed([Deno.pid, pid], () => Promise.all(clients.map(one)));
  const variants = [
    variant(
      figure("raw", `raw loopback ${what}`, { tag: "raw" }),
      all(peer.pid, (i) => rawReceive(peer.port, perClient, join(local, `raw-${i}`))),
    ),
    variant(
      figure("ferry", `ferry get ${what}, library clients`, {
        vs: ["concurrent.raw", "concurrent.curl"],
      }),
      all(
        server.pid,
        (i) =>
          withLibraryClient(
            server,
            (client) => libraryMove(client, "get", perClient, join(local, `ferry-${i}.bin`)),
          ),
      ),
    ),
  ];
  if (vsftpd?.curl) {
    variants.push(variant(
      figure("curl", `vsftpd + curl -Z, ${what}`, { tag: "curl -Z", vs: ["concurrent.raw"] }),
      () => curlParallel(vsftpd, perClient.name, local, clients.length),
    ));
  }
  await alternate(options.runs, results, variants);
}

/**
 * The transfers the scenarios time, each with the CPU time of its client and server:
 * ferry with the library client in this process (plain or secure) or with a checkout's
 * CLI client (`main.ts connect`, plain), every one verified by SHA-256, and the raw-loopback copies that
 * move the same bytes between a socket and a file with 4 MiB buffers and no protocol.
 *
 * @module
 */

import { join } from "node:path";
import { connect } from "../src/client/connect.ts";
import type { Client } from "../src/client/client.ts";
import type { DigestName } from "../src/common/digest.ts";
import { PERMISSIONS, type ServeProcess } from "../tests/support/ferry_process.ts";
import { processMemory } from "../tests/support/proc.ts";
import { addCpu, cpuMeter, type Timed, timed } from "./measure.ts";
import { type Checkout, type FerryServer, HOST, runMeasured, startFerry } from "./processes.ts";
import { copy } from "./raw_peer.ts";
import type { Bench, TestFile } from "./workspace.ts";

/** Who plays ferry's client: the library in this process, or a checkout's CLI. */
export type FerryClient = "library" | Checkout;

/** A read buffer for `size` bytes: 4 MiB, or less for a smaller file (zeroing costs too). */
export function bufferFor(size: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Math.max(1, Math.min(4 << 20, size)));
}

/** Reads a raw peer's connection to its end into a new file, and checks the byte count. */
export async function rawReceive(
  port: number,
  file: TestFile,
  path: string,
  sync = false,
): Promise<void> {
  using conn = await Deno.connect({ hostname: HOST, port });
  using out = await Deno.open(path, { write: true, createNew: true });
  const bytes = await copy(conn, out, bufferFor(file.size));
  if (sync) await out.syncData();
  if (bytes !== file.size) throw new Error(`The raw peer sent ${bytes} of ${file.size} bytes`);
}

/** Sends a file to a raw sink, half-closes, and waits for the peer to close once stored. */
export async function rawSend(port: number, path: string): Promise<void> {
  using conn = await Deno.connect({ hostname: HOST, port });
  using file = await Deno.open(path);
  await copy(file, conn);
  await conn.closeWrite();
  await copy(conn, undefined, new Uint8Array(64));
}

/** A library client's `get` (or `put`), checked against the file's SHA-256. */
export async function libraryMove(
  client: Client,
  kind: "get" | "put",
  file: TestFile,
  target: string,
): Promise<void> {
  const result = kind === "get"
    ? await client.get(file.name, target)
    : await client.put(file.path, target);
  if (!result.verified || result.hex !== file.digests[result.digest]) {
    throw new Error(`The ferry ${kind} of ${file.name} did not verify its ${result.digest}`);
  }
}

/**
 * A library client's `fetch` of every file in `files` into `folder`, pipelined on the
 * control connection (PROTOCOL.md §18), each checked against its digest.
 */
export async function libraryFetchAll(
  client: Client,
  files: readonly TestFile[],
  folder: string,
): Promise<void> {
  await client.features();
  const requests = files.map((file) => ({ name: file.name, path: join(folder, file.name) }));
  await client.fetchMany(requests, (index, outcome) => {
    const file = files[index];
    if (outcome.type !== "done" || outcome.hex !== file.digests[client.digest]) {
      throw new Error(`The ferry fetch of ${file.name} did not verify: ${outcome.type}`);
    }
  });
}

/**
 * Connects the library client to `server` (pinned to its identity if secure). With
 * `digest`, only that digest is offered, and agreed at connect time (PROTOCOL.md §17);
 * without, plain mode checks with SHA-256 (no `feat` is sent) and secure mode with
 * the default, xxh128.
 */
export async function libraryConnect(
  server: FerryServer,
  { digest }: { digest?: DigestName } = {},
): Promise<Client> {
  const { port, secure } = server;
  if (!secure) return await connect({ hostname: HOST, port, digest });
  const checkIdentity = (seen: string) => {
    if (seen !== secure.fingerprint) throw new Error(`The server showed identity ${seen}`);
  };
  const options = { checkIdentity, token: secure.token };
  return await connect({ hostname: HOST, port, secure: options, digest });
}

/** Connects the library client, runs `work`, and quits. */
export async function withLibraryClient<T>(
  server: FerryServer,
  work: (client: Client) => Promise<T>,
  options: { digest?: DigestName } = {},
): Promise<T> {
  const client = await libraryConnect(server, options);
  try {
    return await work(client);
  } finally {
    await client.quit();
  }
}

/**
 * Runs a checkout's `main.ts connect` with `commands` (`-c` each, or piped on stdin),
 * checks every transfer reported its SHA-256 verified, and adds the server's CPU time.
 */
export async function cliSession(
  source: Checkout,
  server: ServeProcess,
  commands: string[],
  stdin = false,
): Promise<Timed> {
  const meter = await cpuMeter([server.pid]);
  const args = [
    ...[
      "run",
      ...PERMISSIONS,
      source.main,
      "connect",
      ...source.classic,
      HOST,
      String(server.port),
    ],
  ];
  const run = stdin
    ? await runMeasured(Deno.execPath(), args, { cwd: source.dir, stdin: commands.join("\n") })
    : await runMeasured(Deno.execPath(), [
      ...args,
      ...commands.flatMap((command) => ["-c", command]),
    ], {
      cwd: source.dir,
    });
  const verified = run.output.match(/(sha256|xxh128) verified/g)?.length ?? 0;
  if (verified !== commands.length) {
    throw new Error(`${source.name} connect verified ${verified} of ${commands.length} transfers`);
  }
  return { ms: run.ms, cpu: addCpu(run.cpu, await meter()) };
}

/** Which transfer {@linkcode ferryTransfer} makes, and how. */
export interface FerryTransfer {
  kind: "get" | "put";
  /** The run's number, for the copy's name. */
  run: number;
  /** Who plays the client. Default the library. */
  client?: FerryClient;
  /** Secure mode (TLS and a token) rather than plain; library client only. */
  secure?: boolean;
  /** The one digest to offer (library client only); see {@linkcode libraryConnect}. */
  digest?: DigestName;
  /**
   * Get the file once, untimed, before the timed get, so the server's digest cache
   * holds it and the timed get only copies (library client only).
   */
  warm?: boolean;
}

/**
 * One ferry `get` or `put` of `file` against a fresh `ferry serve` (so its peak RSS is
 * this transfer's, returned as `extra` in MiB); the copy is removed after.
 */
export async function ferryTransfer(
  bench: Bench,
  file: TestFile,
  { kind, run, client = "library", secure = false, digest, warm = false }: FerryTransfer,
): Promise<Timed> {
  const { served, local } = bench.workspace;
  await using server = await startFerry(served, {
    source: client === "library" ? undefined : client,
    secure: secure ? bench.workspace.secure : undefined,
  });
  const name = `copy-${run}-${file.name}`;
  const copyPath = join(kind === "get" ? local : served, name);
  if (warm) {
    await withLibraryClient(server, (session) => libraryMove(session, "get", file, copyPath), {
      digest,
    });
    await Deno.remove(copyPath);
  }
  try {
    const timing = client === "library"
      ? await timed(
        [Deno.pid, server.pid],
        () =>
          withLibraryClient(
            server,
            (session) => libraryMove(session, kind, file, kind === "get" ? copyPath : name),
            { digest },
          ),
      )
      : await cliSession(client, server, [
        kind === "get" ? `get ${file.name} ${copyPath}` : `put ${file.path} ${name}`,
      ]);
    const memory = await processMemory(server.pid);
    return { ...timing, extra: [(memory?.peak ?? NaN) / 2 ** 20] };
  } finally {
    await Deno.remove(copyPath);
  }
}

/**
 * The comparison: vsftpd on 127.0.0.1 with a generated minimal config (anonymous
 * login, uploads allowed, running as the launching user, no chroot), driven by curl
 * for big and concurrent transfers and by python3's ftplib for many small files. Each
 * transfer reports the CPU time of the client and of vsftpd (its session processes
 * included). Nothing is installed here: missing programs are noted, their rows skipped.
 *
 * @module
 */

import { join } from "node:path";
import { childPids } from "../tests/support/proc.ts";
import { Peer } from "../tests/support/peer.ts";
import { addCpu, cpuMeter, type Timed } from "./measure.ts";
import { findProgram, findPython, HOST, REPO_ROOT, runMeasured, track } from "./processes.ts";
import { spawnChild } from "../tests/support/ferry_process.ts";
import type { Workspace } from "./workspace.ts";

/** A running vsftpd and the clients found to drive it. */
export interface Vsftpd extends AsyncDisposable {
  port: number;
  /** The listening process, which forks one per session. */
  pid: number;
  curl?: string;
  python?: string;
  /** Package versions, for the JSON. */
  versions: Record<string, string>;
}

function config(served: string, port: number, emptyDir: string): string {
  const settings = [
    ...["listen=YES", "listen_ipv6=NO", `listen_address=${HOST}`, `listen_port=${port}`],
    ...["background=NO", "run_as_launching_user=YES", "seccomp_sandbox=NO"],
    ...["anonymous_enable=YES", "no_anon_password=YES", `anon_root=${served}`, "local_enable=NO"],
    ...["write_enable=YES", "anon_upload_enable=YES", "anon_umask=022"],
    ...["pasv_enable=YES", `pasv_address=${HOST}`, "connect_from_port_20=NO"],
    ...["xferlog_enable=NO", "dirmessage_enable=NO", `secure_chroot_dir=${emptyDir}`],
    ...["max_clients=0", "max_per_ip=0"],
  ];
  return settings.join("\n") + "\n";
}

/** Starts vsftpd if it is installed; otherwise returns what is missing. */
export async function startVsftpd(workspace: Workspace): Promise<Vsftpd | string> {
  const [program, curl, python] = await Promise.all(
    [findProgram("vsftpd"), findProgram("curl"), findPython()],
  );
  if (!program) return "vsftpd not installed: comparisons skipped (see bench/README.md)";
  const folder = join(workspace.root, "vsftpd");
  await Deno.mkdir(join(folder, "empty"), { recursive: true });
  const port = await freeFixedPort();
  const configPath = join(folder, "vsftpd.conf");
  await Deno.writeTextFile(configPath, config(workspace.served, port, join(folder, "empty")));
  const child = track(await spawnChild(program, [configPath], { banner: false }));
  const versions: Record<string, string> = {};
  try {
    let up = false;
    for (let attempt = 0; attempt < 200 && !up; attempt++) {
      up = await connectQuit(port).then(() => true, () => false);
      if (!up) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (!up) throw new Error("nothing answered on its port within 10 s");
    for (const name of ["vsftpd", "curl"]) {
      const query = new Deno.Command("dpkg-query", { args: ["-W", "-f", "${Version}", name] });
      const output = await query.output().catch(() => undefined);
      if (output?.success) versions[name] = new TextDecoder().decode(output.stdout);
    }
    if (python) versions.python3 = python;
  } catch (error) {
    const { log } = await child.stop();
    throw new Error(`vsftpd did not start: ${(error as Error).message}; ${log}`);
  }
  return {
    port,
    pid: child.pid,
    curl,
    python,
    versions,
    [Symbol.asyncDispose]: child[Symbol.asyncDispose],
  };
}

/**
 * A free port below the OS's ephemeral range, for a server started with a fixed port
 * while we poll it: a port in that range could meanwhile become the local port of one
 * of the polling sockets, and the server would then fail to listen.
 */
async function freeFixedPort(): Promise<number> {
  const range = await new Deno.Command("cat", { args: ["/proc/sys/net/ipv4/ip_local_port_range"] })
    .output().then((output) => new TextDecoder().decode(output.stdout), () => "");
  const low = Number(range.split(/\s+/)[0]) || 32768;
  const floor = Math.min(10_000, low - 1000);
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = floor + Math.floor(Math.random() * (low - floor));
    try {
      Deno.listen({ hostname: HOST, port }).close();
      return port;
    } catch {
      // Taken: try another.
    }
  }
  throw new Error(`No free port found below ${low} in 100 attempts`);
}

/** Connects, reads the greeting, sends QUIT and waits for vsftpd to close. */
export async function connectQuit(port: number): Promise<void> {
  using peer = await Peer.connect(port);
  let greeting = "";
  for (let reads = 0; reads < 100 && !greeting.includes("\n"); reads++) {
    const chunk = await peer.reader.readChunk(1024);
    if (chunk === null) break;
    greeting += new TextDecoder().decode(chunk);
  }
  if (!greeting.startsWith("220")) throw new Error(`vsftpd greeted with ${greeting}`);
  await peer.send("QUIT\r\n");
  if (!(await peer.reader.closesWithin(5_000))) throw new Error("vsftpd did not close");
}

/** The URL of `name` on vsftpd. */
function url(vsftpd: Vsftpd, name: string): string {
  return `ftp://${HOST}:${vsftpd.port}/${encodeURIComponent(name)}`;
}

/** Runs `client`, then adds vsftpd's CPU time once its session processes have exited. */
async function withServerCpu(vsftpd: Vsftpd, client: () => Promise<Timed>): Promise<Timed> {
  const server = await cpuMeter([], [vsftpd.pid]);
  const { ms, cpu } = await client();
  for (let check = 0; check < 200 && (await childPids(vsftpd.pid)).length > 0; check++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { ms, cpu: addCpu(cpu, await server()) };
}

/** One curl process with `args`; ms from spawn to exit. */
function curl(vsftpd: Vsftpd, args: string[]): Promise<Timed> {
  return withServerCpu(vsftpd, () => runMeasured(vsftpd.curl!, ["-sS", ...args]));
}

/** `curl -o DEST`: downloads `name`. */
export function curlGet(vsftpd: Vsftpd, name: string, dest: string): Promise<Timed> {
  return curl(vsftpd, ["-o", dest, url(vsftpd, name)]);
}

/** `curl -T FILE`: uploads `path` as `name`. */
export function curlPut(vsftpd: Vsftpd, path: string, name: string): Promise<Timed> {
  return curl(vsftpd, ["-T", path, url(vsftpd, name)]);
}

/** One `curl -Z` process downloading `name` `count` times at once (a connection each). */
export function curlParallel(
  vsftpd: Vsftpd,
  name: string,
  folder: string,
  count: number,
): Promise<Timed> {
  const args = ["--no-progress-meter", "-Z", "--parallel-max", String(count)];
  for (let i = 0; i < count; i++) args.push("-o", join(folder, `curl-${i}.bin`), url(vsftpd, name));
  return curl(vsftpd, args);
}

/** ftplib fetches `names` one by one over one session; times (and costs) the loop only. */
export function ftplibFetch(vsftpd: Vsftpd, names: string[], folder: string): Promise<Timed> {
  return withServerCpu(vsftpd, async () => {
    const script = join(REPO_ROOT, "bench", "ftplib_fetch.py");
    const args = [script, HOST, String(vsftpd.port), folder, ...names];
    const output = await new Deno.Command(vsftpd.python!, { args, stdin: "null" }).output();
    const [seconds, cpu] = new TextDecoder().decode(output.stdout).trim().split(" ").map(Number);
    if (!output.success || !(seconds > 0)) {
      const message = new TextDecoder().decode(output.stderr).trim().split("\n").at(-1);
      throw new Error(`The ftplib script failed: ${message}`);
    }
    return { ms: 1000 * seconds, cpu };
  });
}

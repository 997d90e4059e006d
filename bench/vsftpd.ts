/**
 * The comparison: vsftpd on 127.0.0.1 with a generated minimal config (anonymous
 * login, uploads allowed, running as the launching user, no chroot), driven by curl
 * for big and concurrent transfers and by python3's ftplib for many small files.
 * Nothing is installed here: missing programs are reported and their rows skipped.
 *
 * @module
 */

import { join } from "node:path";
import { Child, REPO_ROOT } from "./processes.ts";
import type { Results } from "./report.ts";
import {
  connectWhenUp,
  findProgram,
  freeFixedPort,
  HOST,
  readToEnd,
  runQuietly,
  writeAll,
} from "./system.ts";
import type { TestFile, Workspace } from "./workspace.ts";

/** A running vsftpd and the clients found to drive it. */
export interface Vsftpd extends AsyncDisposable {
  port: number;
  /** curl's path, if installed. */
  curl?: string;
  /** python3's path, if installed. */
  python?: string;
  /** Package versions, for the JSON. */
  versions: Record<string, string>;
}

/** The Python script that fetches files one by one with ftplib. */
const FTPLIB_SCRIPT = join(REPO_ROOT, "bench", "ftplib_fetch.py");

function config(workspace: Workspace, port: number, emptyDir: string): string {
  return [
    "listen=YES",
    "listen_ipv6=NO",
    `listen_address=${HOST}`,
    `listen_port=${port}`,
    "background=NO",
    "run_as_launching_user=YES",
    "anonymous_enable=YES",
    "no_anon_password=YES",
    `anon_root=${workspace.served}`,
    "local_enable=NO",
    "write_enable=YES",
    "anon_upload_enable=YES",
    "anon_umask=022",
    "pasv_enable=YES",
    `pasv_address=${HOST}`,
    "connect_from_port_20=NO",
    "xferlog_enable=NO",
    "dirmessage_enable=NO",
    "seccomp_sandbox=NO",
    `secure_chroot_dir=${emptyDir}`,
    "max_clients=0",
    "max_per_ip=0",
    "",
  ].join("\n");
}

/**
 * Starts vsftpd if it and at least one client are installed; otherwise notes what is
 * missing and returns `undefined`.
 */
export async function startVsftpd(
  workspace: Workspace,
  results: Results,
): Promise<Vsftpd | undefined> {
  const [program, curl, python] = await Promise.all(
    ["vsftpd", "curl", "python3"].map((name) => findProgram(name)),
  );
  if (!program) {
    results.note("vsftpd not installed: skipped (see bench/README.md)");
    return undefined;
  }
  if (!curl) results.note("curl not installed: vsftpd get/put/concurrent skipped");
  if (!python) results.note("python3 not installed: vsftpd small-file scenario skipped");
  const folder = join(workspace.root, "vsftpd");
  await Deno.mkdir(join(folder, "empty"), { recursive: true });
  const port = await freeFixedPort();
  const configPath = join(folder, "vsftpd.conf");
  await Deno.writeTextFile(configPath, config(workspace, port, join(folder, "empty")));
  const child = new Child("vsftpd", program, [configPath]);
  try {
    using conn = await connectWhenUp(port, 10_000);
    await readBanner(conn);
    await writeAll(conn, new TextEncoder().encode("QUIT\r\n"));
    await readToEnd(conn);
  } catch (error) {
    await child.stop();
    throw new Error(`vsftpd did not start: ${child.output()}`, { cause: error });
  }
  const versions: Record<string, string> = {};
  for (const name of ["vsftpd", "curl", "python3"]) {
    const version = await runQuietly("dpkg-query", ["-W", "-f", "${Version}", name]);
    if (version) versions[name] = version;
  }
  if (python) versions.python3 = (await runQuietly(python, ["--version"])) ?? "unknown";
  return {
    port,
    curl,
    python,
    versions,
    [Symbol.asyncDispose]: () => child.stop().then(() => {}),
  };
}

/** Reads the `220` greeting line. */
async function readBanner(conn: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(1024);
  let text = "";
  for (let reads = 0; reads < 100 && !text.includes("\n"); reads++) {
    const n = await conn.read(buffer);
    if (n === null) break;
    text += new TextDecoder().decode(buffer.subarray(0, n));
  }
  if (!text.startsWith("220")) throw new Error(`vsftpd greeted with ${JSON.stringify(text)}`);
}

function url(vsftpd: Vsftpd, name: string): string {
  return `ftp://${HOST}:${vsftpd.port}/${encodeURIComponent(name)}`;
}

/** Runs one program to completion, failing with its stderr; returns the wall time in ms. */
async function timed(program: string, args: string[]): Promise<number> {
  const started = performance.now();
  const output = await new Deno.Command(program, { args, stdin: "null", stdout: "null" }).output();
  const ms = performance.now() - started;
  if (!output.success) {
    const message = new TextDecoder().decode(output.stderr).trim().split("\n")[0];
    throw new Error(`${program} ${args.join(" ")} failed: ${message}`);
  }
  return ms;
}

/** `curl -o DEST`: downloads `file`; ms from spawn to exit. */
export async function curlGet(vsftpd: Vsftpd, file: TestFile, dest: string): Promise<number> {
  return await timed(vsftpd.curl!, ["-sS", "-o", dest, url(vsftpd, file.name)]);
}

/** `curl -T FILE`: uploads `file` as `name`; ms from spawn to exit. */
export async function curlPut(vsftpd: Vsftpd, file: TestFile, name: string): Promise<number> {
  return await timed(vsftpd.curl!, ["-sS", "-T", file.path, url(vsftpd, name)]);
}

/** `count` curl processes downloading `file` at once; ms from the first spawn to the last exit. */
export async function curlConcurrent(
  vsftpd: Vsftpd,
  file: TestFile,
  folder: string,
  count: number,
): Promise<number> {
  const started = performance.now();
  await Promise.all(
    Array.from({ length: count }, (_, i) => curlGet(vsftpd, file, join(folder, `curl-${i}.bin`))),
  );
  return performance.now() - started;
}

/** One `curl -Z` process downloading `file` `count` times in parallel (one connection each); ms. */
export async function curlParallel(
  vsftpd: Vsftpd,
  file: TestFile,
  folder: string,
  count: number,
): Promise<number> {
  const args = ["-sS", "--no-progress-meter", "-Z", "--parallel-max", String(count)];
  for (let i = 0; i < count; i++) {
    args.push("-o", join(folder, `curl-${i}.bin`), url(vsftpd, file.name));
  }
  return await timed(vsftpd.curl!, args);
}

/** ftplib fetches `names` one by one over one session; returns the loop's seconds. */
export async function ftplibFetch(
  vsftpd: Vsftpd,
  names: string[],
  folder: string,
): Promise<number> {
  const args = [FTPLIB_SCRIPT, HOST, String(vsftpd.port), folder, ...names];
  const output = await new Deno.Command(vsftpd.python!, { args, stdin: "null" }).output();
  const text = new TextDecoder().decode(output.stdout).trim();
  const seconds = Number(text);
  if (!output.success || !(seconds > 0)) {
    const message = new TextDecoder().decode(output.stderr).trim().split("\n").at(-1);
    throw new Error(`The ftplib script failed: ${message || text}`);
  }
  return seconds;
}

/** Connects, reads the greeting, sends QUIT and waits for vsftpd to close; ms. */
export async function ftpConnectQuit(port: number): Promise<number> {
  const started = performance.now();
  using conn = await Deno.connect({ hostname: HOST, port });
  await readBanner(conn);
  await writeAll(conn, new TextEncoder().encode("QUIT\r\n"));
  await readToEnd(conn);
  return performance.now() - started;
}

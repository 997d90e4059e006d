/**
 * The benchmark's temp folder and the files in it: the shared folder both servers
 * serve, a folder for downloads, a sink for raw uploads, and the test files with
 * their SHA-256. Also says whether the folder is on tmpfs, that is whether the disk
 * is part of the measurement.
 *
 * @module
 */

import { join } from "node:path";
import type { BenchOptions } from "./options.ts";
import type { Results } from "./report.ts";
import type { Vsftpd } from "./vsftpd.ts";
import { fileSystemType, randomBytes, removeAll, writeTestFile } from "./system.ts";

/** A test file in the shared folder. */
export interface TestFile {
  /** Its name in the shared folder. */
  name: string;
  /** Its full path. */
  path: string;
  size: number;
  sha256: string;
}

/** The temp folder and everything the scenarios read. */
export interface Workspace extends AsyncDisposable {
  root: string;
  /** Shared by ferry and vsftpd; uploads land here too. */
  served: string;
  /** Where clients download to; emptied after every run. */
  local: string;
  /** Where the raw peer stores uploads. */
  sink: string;
  /** A tiny shared folder for the start-up scenario. */
  startup: string;
  /** The file system type of `root` (`tmpfs`, `ext2/ext3`, ...), if `stat` could tell. */
  fileSystem: string | undefined;
  /** The file system type of /dev/shm, `undefined` when there is none. */
  shmFileSystem: string | undefined;
  big: TestFile;
  /** 1 MiB, for the small end of the memory comparison. */
  mebibyte: TestFile;
  /** What each concurrent client fetches. */
  perClient: TestFile;
  /** An empty file, for the raw latency and start-up baselines. */
  empty: TestFile;
  /** The small files, fetched one by one. */
  small: TestFile[];
}

/** Makes the temp folder and writes the test files. */
export async function createWorkspace(options: BenchOptions): Promise<Workspace> {
  const root = await Deno.makeTempDir({ prefix: "ferry-bench-" });
  // Deno needs --allow-all for /dev/shm, so where we may (as root), mount a tmpfs of
  // our own over the temp folder instead: then the disk is not what is measured.
  const mounted = await mountTmpfs(root, 4 * options.size + (256 << 20));
  const dispose = async () => {
    if (mounted) await unmount(root);
    await removeAll(root);
  };
  try {
    const folder = async (name: string) => {
      const path = join(root, name);
      await Deno.mkdir(path);
      return path;
    };
    const served = await folder("served");
    const [local, sink, startup] = [
      await folder("local"),
      await folder("sink"),
      await folder("startup"),
    ];
    await Deno.writeTextFile(join(startup, "hello.txt"), "Hello, world!\n");
    const file = async (name: string, size: number): Promise<TestFile> => {
      const path = join(served, name);
      return { name, path, size, sha256: await writeTestFile(path, size) };
    };
    const needsBig = options.only.has("get") || options.only.has("put");
    const big = await file("big.bin", needsBig ? options.size : 1);
    const mebibyte = await file("one-mebibyte.bin", 1 << 20);
    const perClient = await file("per-client.bin", options.clientSize);
    const empty = { name: "empty.bin", path: join(root, "empty.bin"), size: 0, sha256: "" };
    await Deno.writeFile(empty.path, new Uint8Array(0));
    const small: TestFile[] = [];
    for (let i = 0; i < options.smallCount; i++) {
      const name = `small-${String(i).padStart(5, "0")}.bin`;
      const path = join(served, name);
      await Deno.writeFile(path, randomBytes(options.smallSize), { createNew: true });
      small.push({ name, path, size: options.smallSize, sha256: "" });
    }
    return {
      root,
      served,
      local,
      sink,
      startup,
      fileSystem: await fileSystemType(root),
      shmFileSystem: await fileSystemType("/dev/shm"),
      big,
      mebibyte,
      perClient,
      empty,
      small,
      [Symbol.asyncDispose]: dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** Mounts a tmpfs of `bytes` at `path`; `false` where this machine does not allow it. */
async function mountTmpfs(path: string, bytes: number): Promise<boolean> {
  if (Deno.build.os !== "linux") return false;
  const mount = new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", `size=${bytes}`, "tmpfs", path],
    stdout: "null",
    stderr: "null",
  });
  return await mount.output().then((result) => result.success, () => false);
}

async function unmount(path: string): Promise<void> {
  await new Deno.Command("umount", { args: [path], stdout: "null", stderr: "null" }).output();
}

/** A note on where the files live, or `undefined` when the disk is out of the picture. */
export function fileSystemNote(workspace: Workspace): string | undefined {
  if (workspace.fileSystem === "tmpfs") return undefined;
  const type = workspace.fileSystem ?? "an unknown file system";
  const shm = workspace.shmFileSystem === undefined
    ? ""
    : `; /dev/shm (${workspace.shmFileSystem}) is not used because Deno needs --allow-all for ` +
      `paths under /dev`;
  return `the temp folder ${workspace.root} is on ${type}, not tmpfs (mounting one there ` +
    `needs root), so the disk (and the fdatasync in ferry's get and put) is part of the ` +
    `measurement${shm}; set TMPDIR to a tmpfs mount elsewhere to leave the disk out`;
}

/** What every scenario gets: the options, the files, where figures go, and vsftpd if running. */
export interface Bench {
  options: BenchOptions;
  workspace: Workspace;
  results: Results;
  /** Present when vsftpd (and the clients it is driven with) could be started. */
  vsftpd?: Vsftpd;
}

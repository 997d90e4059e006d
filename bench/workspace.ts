/**
 * The benchmark's temp folder and the files in it: the folder every server serves, a
 * folder for downloads, a sink for raw uploads, the test files with their SHA-256, and
 * the identity and token of the secure servers.
 * As root it mounts a tmpfs there, so the disk stays out of the figures; otherwise it
 * says whether the folder is on tmpfs anyway.
 *
 * @module
 */

import { join } from "node:path";
import { createDigest, DIGEST_NAMES, type DigestName } from "../src/common/digest.ts";
import { newToken } from "../src/server/access.ts";
import { loadIdentity } from "../src/server/identity.ts";
import { randomBytes } from "../tests/support/helpers.ts";
import type { BenchOptions } from "./options.ts";
import type { Checkout, SecureAccess } from "./processes.ts";
import type { Results } from "./report.ts";
import type { Vsftpd } from "./vsftpd.ts";

/** A test file in the served folder. */
export interface TestFile {
  /** Its name in the served folder, and its full path. */
  name: string;
  path: string;
  size: number;
  /** Its digest by each name ferry can check a transfer with. */
  digests: Record<DigestName, string>;
}

/** The temp folder and everything the scenarios read. */
export interface Workspace extends AsyncDisposable {
  root: string;
  /** Served by ferry and vsftpd; uploads land here too. */
  served: string;
  /** Where clients download to; emptied after every run. */
  local: string;
  /** Where the raw peer stores uploads. */
  sink: string;
  /** A folder with one tiny file, for the start-up scenario. */
  startup: string;
  /** The file system type of `root` (`tmpfs`, `ext2/ext3`...), if `stat` could tell. */
  fileSystem: string | undefined;
  big: TestFile;
  /** 1 MiB, for the small end of the memory comparison. */
  mebibyte: TestFile;
  /** What each concurrent client fetches. */
  perClient: TestFile;
  /** An empty file, for the raw start-up baseline. */
  empty: string;
  /** The small files, fetched one by one. */
  small: TestFile[];
  /** The identity (in the temp folder) and token of every secure server. */
  secure: SecureAccess;
}

/** What every scenario gets. */
export interface Bench {
  options: BenchOptions;
  workspace: Workspace;
  results: Results;
  /** Present when vsftpd could be started. */
  vsftpd?: Vsftpd;
  /** The `--baseline` checkout, if given. */
  baseline?: Checkout;
}

/** Makes the temp folder (on a tmpfs of its own where allowed) and writes the test files. */
export async function createWorkspace(options: BenchOptions): Promise<Workspace> {
  const root = await Deno.makeTempDir({ prefix: "ferry-bench-" });
  const needsBig = options.only.has("get") || options.only.has("put") || options.only.has("resume");
  const big = needsBig ? options.size : 1;
  const bytes = 3 * big + 2 * options.clients * options.clientSize +
    2 * options.smallCount * options.smallSize + (256 << 20) +
    // Scenario 8: its trees, their copies on the server, and the ones fetched back.
    (options.only.has("tree")
      ? 4 * (options.treeBig.count * options.treeBig.size + options.smallCount * options.smallSize)
      : 0);
  const mounted = await quietly("mount", ["-t", "tmpfs", "-o", `size=${bytes}`, "tmpfs", root]);
  let disposed: Promise<void> | undefined;
  const dispose = () =>
    disposed ??= (async () => {
      if (mounted) await quietly("umount", ["--lazy", root]); // Lazy: this process may hold files.
      await Deno.remove(root, { recursive: true });
    })();
  try {
    const [served, local, sink, startup] = ["served", "local", "sink", "startup"].map((name) =>
      join(root, name)
    );
    for (const folder of [served, local, sink, startup]) await Deno.mkdir(folder);
    await Deno.writeTextFile(join(startup, "hello.txt"), "Hello, world!\n");
    const empty = join(root, "empty.bin");
    await Deno.writeFile(empty, new Uint8Array(0));
    const file = async (name: string, size: number) => await writeTestFile(served, name, size);
    const small: TestFile[] = [];
    for (let i = 0; i < options.smallCount; i++) {
      small.push(await file(`small-${String(i).padStart(5, "0")}.bin`, options.smallSize));
    }
    const identity = join(root, "identity.pem");
    const { fingerprint } = (await loadIdentity(identity)).identity;
    const token = newToken();
    const type = await new Deno.Command("stat", { args: ["-f", "-c", "%T", root] }).output();
    return {
      root,
      served,
      local,
      sink,
      startup,
      fileSystem: new TextDecoder().decode(type.stdout).trim() || undefined,
      big: await file("big.bin", big),
      mebibyte: await file("one-mebibyte.bin", 1 << 20),
      perClient: await file("per-client.bin", options.clientSize),
      empty,
      small,
      secure: { identity, fingerprint, token },
      [Symbol.asyncDispose]: dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** Runs a program quietly; whether it succeeded. */
async function quietly(program: string, args: string[]): Promise<boolean> {
  if (Deno.build.os !== "linux") return false;
  const command = new Deno.Command(program, { args, stdout: "null", stderr: "null" });
  return await command.output().then((result) => result.success, () => false);
}

/**
 * Writes `size` bytes of incompressible, non-repeating data to `folder/name`: one
 * random block of up to 4 MiB, with each copy's index stamped in.
 */
export async function writeTestFile(
  folder: string,
  name: string,
  size: number,
): Promise<TestFile> {
  const path = join(folder, name);
  const block = randomBytes(Math.min(size, 4 << 20));
  const view = new DataView(block.buffer);
  const digests = await Promise.all(DIGEST_NAMES.map((name) => createDigest(name)));
  using file = await Deno.open(path, { write: true, createNew: true });
  for (let offset = 0, index = 0; offset < size; index++) {
    if (block.byteLength >= 8) view.setFloat64(0, index);
    const chunk = block.subarray(0, Math.min(block.byteLength, size - offset));
    for (const digest of digests) digest.update(chunk);
    for (let written = 0; written < chunk.byteLength;) {
      written += await file.write(chunk.subarray(written));
    }
    offset += chunk.byteLength;
  }
  const hexes = digests.map((digest) => digest.hex());
  return {
    name,
    path,
    size,
    digests: Object.fromEntries(DIGEST_NAMES.map((name, i) => [name, hexes[i]])) as Record<
      DigestName,
      string
    >,
  };
}

/** Empties a folder. */
export async function resetFolder(path: string): Promise<void> {
  await Deno.remove(path, { recursive: true });
  await Deno.mkdir(path);
}

/** A note on where the files live, and so whether the disk is in the figures. */
export function fileSystemNote(workspace: Workspace): string {
  if (workspace.fileSystem === "tmpfs") {
    return "the files are on tmpfs, so the disk is not in the figures (and fdatasync costs " +
      "next to nothing: + fdatasync rows differ from the plain ones by noise alone)";
  }
  const type = workspace.fileSystem
    ? `${workspace.fileSystem}, not tmpfs`
    : "an unknown file system";
  return `the temp folder ${workspace.root} is on ${type} (mounting a tmpfs needs root), ` +
    `so the disk, and the fdatasync in ferry's ` +
    `get and put, is in the figures; set TMPDIR to a tmpfs mount to leave it out`;
}

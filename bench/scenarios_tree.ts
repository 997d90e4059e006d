/**
 * Scenario 8, folders: a recursive `put -r` / `get -r` of a tree of many small files
 * (`--small-count` × `--small-size`, in 10 folders) and of 10 big ones, each next to
 * the same files moved by single `put`s / `get`s in one session, alternating. The
 * issue's bar: a recursive put within 2× the files/s of the single puts. Library client
 * for both; the CLI (`put -r` against the same `put` lines piped) for the small tree.
 * The server's peak RSS after all the small recursive puts shows whether memory stays
 * flat over thousands of files.
 *
 * @module
 */

import { join } from "node:path";
import { runBatch } from "../src/client/batch.ts";
import { planTreeGet, planTreePut } from "../src/client/batch_plans.ts";
import { formatBytes } from "../src/common/sizes.ts";
import { PERMISSIONS } from "../tests/support/ferry_process.ts";
import { processMemory } from "../tests/support/proc.ts";
import { addCpu, alternate, cpuMeter, type Timed, timed, transfer } from "./measure.ts";
import { checkout, type FerryServer, HOST, runMeasured, startFerry } from "./processes.ts";
import { figureMaker, type FigureSpec } from "./report.ts";
import { withLibraryClient } from "./transfers.ts";
import { type Bench, type TestFile, writeTestFile } from "./workspace.ts";

/** What one variant's run works with. */
interface RunContext {
  bench: Bench;
  server: FerryServer;
  kind: "put" | "get";
  tree: TestTree;
}

/** A tree of test files: its folder, and each file's path below it. */
interface TestTree {
  /** The local folder, whose base name is the tree's name. */
  path: string;
  name: string;
  files: (TestFile & { relative: string })[];
  folders: string[];
}

/** Writes `count` files of `size` bytes into `folders` subfolders of `parent/name`. */
async function writeTree(
  parent: string,
  { name, count, size, folders }: { name: string; count: number; size: number; folders: number },
): Promise<TestTree> {
  const path = join(parent, name);
  const names = Array.from({ length: Math.min(folders, count) }, (_, i) => `folder-${i}`);
  for (const folder of names) await Deno.mkdir(join(path, folder), { recursive: true });
  const files = [];
  for (let i = 0; i < count; i++) {
    const relative = `${names[i % names.length]}/file-${String(i).padStart(5, "0")}.bin`;
    const file = await writeTestFile(
      join(path, names[i % names.length]),
      relative.split("/")[1],
      size,
    );
    files.push({ ...file, relative });
  }
  return { path, name, files, folders: names };
}

/** Scenario 8: recursive transfers against single ones, small files and big. */
export async function treeScenario(bench: Bench): Promise<void> {
  const { options, workspace, results } = bench;
  const source = join(workspace.root, "trees");
  await Deno.mkdir(source);
  const small = await writeTree(source, {
    name: "small-tree",
    count: options.smallCount,
    size: options.smallSize,
    folders: 10,
  });
  const { count, size } = options.treeBig;
  const big = await writeTree(source, { name: "big-tree", count, size, folders: 1 });
  await using server = await startFerry(workspace.served);
  for (const [tree, unit] of [[small, "files/s"], [big, "MB/s"]] as const) {
    // What `get -r` fetches: the same tree, on the server (sent now, so the peak RSS
    // after the small tree's runs is theirs alone).
    await withLibraryClient(server, async (client) => {
      await runBatch(client, await planTreePut(client, { dir: tree.path }));
    });
    const what = `${tree.files.length} × ${formatBytes(tree.files[0].size)}`;
    const bytes = tree.files.length * tree.files[0].size;
    const figure = figureMaker("tree", 8, unit);
    const id = tree === small ? "small" : "big";
    const variants = [];
    for (const kind of ["put", "get"] as const) {
      const singles = `${kind}s_${id}`;
      // A recursive get of small files takes them inline (PROTOCOL.md §18): the issue's
      // bar is 1.5 times vsftpd + ftplib fetching the same number one by one.
      const recursive = figure(`${kind}_${id}`, `ferry ${kind} -r ${what}, library client`, {
        vs: kind === "get" && tree === small
          ? [`tree.${singles}`, "small.ftplib"]
          : [`tree.${singles}`],
      });
      const extra: FigureSpec[] = kind === "put" && tree === small
        ? [figure("peak_rss", `ferry server peak RSS after the put -r runs of ${what}`, {
          unit: "MiB",
          vs: ["memory.peak_rss_put"],
        })]
        : [];
      variants.push(
        transfer([recursive, ...extra], bytes, async (run) => {
          const timing = await recursiveRun({ bench, server, kind, tree }, run);
          if (extra.length === 0) return timing;
          const memory = await processMemory(server.pid);
          return { ...timing, extra: [(memory?.peak ?? NaN) / 2 ** 20] };
        }, tree.files.length),
        transfer(
          [figure(
            singles,
            `ferry ${tree.files.length} single ${kind}s of ${
              formatBytes(tree.files[0].size)
            }, library client, one session`,
            { tag: `single ${kind}s` },
          )],
          bytes,
          (run) => singlesRun({ bench, server, kind, tree }, run),
          tree.files.length,
        ),
      );
    }
    if (tree === small) {
      const cli = figureMaker("tree", 8, "files/s");
      variants.push(
        transfer(
          [cli("cli_put_small", `ferry CLI put -r ${what} (spawn to exit)`, {
            vs: ["tree.cli_puts_small"],
          })],
          bytes,
          (run) => cliRun({ bench, server, kind: "put", tree }, { run, recursive: true }),
          tree.files.length,
        ),
        transfer(
          [cli(
            "cli_puts_small",
            `ferry CLI ${tree.files.length} put lines of ${formatBytes(tree.files[0].size)}, piped`,
            { tag: "put lines" },
          )],
          bytes,
          (run) => cliRun({ bench, server, kind: "put", tree }, { run, recursive: false }),
          tree.files.length,
        ),
      );
    }
    await alternate(options.runs, results, variants, 1);
  }
}

/** One recursive put (into a fresh server folder) or get (into a fresh local one), verified. */
async function recursiveRun(context: RunContext, run: number): Promise<Timed> {
  const { bench, server, kind, tree } = context;
  const { pid } = server;
  const { served, local } = bench.workspace;
  const into = `${kind}-r-${run}`;
  const folder = join(kind === "put" ? served : local, into);
  if (kind === "get") await Deno.mkdir(folder);
  try {
    return await withLibraryClient(server, async (client) => {
      if (kind === "put") await client.mkdir(into);
      return await timed([Deno.pid, pid], async () => {
        const plan = kind === "put"
          ? await planTreePut(client, { dir: tree.path, into })
          : await planTreeGet(client, { dir: tree.name, into: folder });
        const report = await runBatch(client, plan);
        const sent = report.outcomes.filter((o) => o.status === "sent" && o.result.verified);
        if (sent.length !== tree.files.length) {
          throw new Error(`${kind} -r moved ${sent.length} of ${tree.files.length} files`);
        }
      });
    });
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
}

/** The same files one `put` or `get` at a time, in one session, into the same folders. */
async function singlesRun(context: RunContext, run: number): Promise<Timed> {
  const { bench, server, kind, tree } = context;
  const { pid } = server;
  const { served, local } = bench.workspace;
  const into = `${kind}-singles-${run}`;
  const folder = join(kind === "put" ? served : local, into);
  try {
    return await withLibraryClient(server, (client) =>
      timed([Deno.pid, pid], async () => {
        // The folders the recursive run makes, made the same way, one by one.
        const top = `${into}/${tree.name}`;
        if (kind === "put") {
          await client.mkdir(into);
          await client.mkdir(top);
          for (const name of tree.folders) await client.mkdir(`${top}/${name}`);
        } else {
          for (const name of tree.folders) {
            await Deno.mkdir(join(folder, tree.name, name), { recursive: true });
          }
        }
        for (const file of tree.files) {
          const result = kind === "put"
            ? await client.put(file.path, `${top}/${file.relative}`)
            : await client.get(
              `${tree.name}/${file.relative}`,
              join(folder, tree.name, file.relative),
            );
          if (!result.verified || result.hex !== file.digests[result.digest]) {
            throw new Error(`A single ${kind} of ${file.relative} did not verify`);
          }
        }
      }));
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
}

/** The CLI: `put -r TREE DIR`, or the same files as `put` lines piped in, spawn to exit. */
async function cliRun(
  { bench, server, tree }: RunContext,
  { run, recursive }: { run: number; recursive: boolean },
): Promise<Timed> {
  const { main, dir } = checkout();
  const into = `cli-${recursive ? "r" : "lines"}-${run}`;
  const lines = recursive ? [`mkdir ${into}`, `put -r ${tree.path} ${into}`] : [
    `mkdir ${into}`,
    `mkdir ${into}/${tree.name}`,
    ...tree.folders.map((name) => `mkdir ${into}/${tree.name}/${name}`),
    ...tree.files.map((file) => `put ${file.path} ${into}/${tree.name}/${file.relative}`),
  ];
  const meter = await cpuMeter([server.pid]);
  const args = ["run", ...PERMISSIONS, main, "connect", "--plain", HOST, String(server.port)];
  try {
    const result = await runMeasured(Deno.execPath(), args, { cwd: dir, stdin: lines.join("\n") });
    const verified = result.output.match(/^put "[^\n]*(sha256|xxh128) verified$/gm)?.length ?? 0;
    if (verified !== tree.files.length) {
      throw new Error(`The CLI verified ${verified} of ${tree.files.length} puts`);
    }
    return { ms: result.ms, cpu: addCpu(result.cpu, await meter()) };
  } finally {
    await Deno.remove(join(bench.workspace.served, into), { recursive: true });
  }
}

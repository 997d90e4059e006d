/**
 * Scenario 10, resuming (PROTOCOL.md §19): the time a `get` and a `put` of the big file
 * take to finish after a cut at 50% and at 99%, next to the whole transfer, all over
 * one live server (plain, library client, the cut and the resume in this one process),
 * variants alternating. A resumed `get`: the client has the hash state of its partial
 * file from the cut, the server hashes its prefix from its nearest state (at most 16 MiB
 * back). A resumed `put`: the client hashes from its nearest state along the local file
 * (at most 16 MiB), the server kept the state of what it received and reads nothing
 * back. One more `put` at 99% on a server restarted since the cut shows the fallback:
 * the server reads its kept bytes once to hash them. (A resume in a new client process
 * hashes its own prefix once too: no state outlives a process.)
 *
 * @module
 */

import { join } from "node:path";
import type { Client } from "../src/client/client.ts";
import { connect } from "../src/client/connect.ts";
import { newResumeSecret } from "../src/client/resume_keys.ts";
import { type FerryServer, HOST, startFerry } from "./processes.ts";
import { alternate, type Measured, timed, type Variant } from "./measure.ts";
import { figureMaker } from "./report.ts";
import type { Bench, TestFile } from "./workspace.ts";

type Kind = "get" | "put";

/** Scenario 10: resumed transfers next to whole ones. */
export async function resumeScenario(bench: Bench): Promise<void> {
  const { options, workspace, results } = bench;
  const { big, served } = workspace;
  const figure = figureMaker("resume", 10, "ms");
  await using stack = new AsyncDisposableStack();
  const server = stack.use(await startFerry(served));
  const variants: Variant[] = [];
  for (const kind of ["get", "put"] as const) {
    for (const at of [0, 0.5, 0.99]) {
      const what = at === 0 ? "whole" : `resumed at ${at * 100}%`;
      variants.push({
        figures: [
          figure(`${kind}_${at * 100}`, `${kind} ${what}, live server`, {
            tag: at === 0 ? `${kind} whole` : undefined,
            vs: at === 0 ? [] : [`resume.${kind}_0`],
          }),
        ],
        run: (run) => resumed(bench, { kind, at, run, cutOn: server, resumeOn: () => server }),
      });
    }
  }
  variants.push({
    figures: [
      figure("put_99_restart", "put resumed at 99%, server restarted since the cut", {
        vs: ["resume.put_0", "resume.put_99"],
      }),
    ],
    run: async (run) => {
      await using stack = new AsyncDisposableStack();
      const before = stack.use(await startFerry(served));
      return await resumed(bench, {
        kind: "put",
        at: 0.99,
        run,
        cutOn: before,
        resumeOn: async () => {
          await before[Symbol.asyncDispose]();
          return stack.use(await startFerry(served));
        },
      });
    },
  });
  await alternate(options.runs, results, variants);
  results.note(
    `resume: ${big.size} bytes; cut by closing the client once that share had moved (give or ` +
      "take a MiB); the time is that of the resumed command alone, verified end to end",
  );
}

interface ResumeRun {
  kind: Kind;
  /** The share moved before the cut; 0: no cut, the whole transfer. */
  at: number;
  run: number;
  /** The server the cut transfer goes to. */
  cutOn: FerryServer;
  /** The server the resumed one goes to: the same, or one restarted since. */
  resumeOn: () => FerryServer | Promise<FerryServer>;
}

/** One run: cut at `at` (untimed), then time the command that finishes the transfer. */
async function resumed(bench: Bench, options: ResumeRun): Promise<Measured> {
  const { big, local, served } = bench.workspace;
  const { kind, at, run } = options;
  const name = `resume-${kind}-${at}-${run}.bin`;
  const target = kind === "get" ? join(local, name) : name;
  const secret = newResumeSecret();
  try {
    if (at > 0) {
      const cutter = await open(options.cutOn, secret);
      const stop = Math.floor(big.size * at);
      await move(cutter, kind, big, target, (bytes) => bytes >= stop && cutter.close())
        .then(() => Promise.reject(new Error(`The ${kind} was not cut`)), () => {});
    }
    const server = await options.resumeOn();
    const client = await open(server, secret);
    try {
      let resumedFrom = 0;
      const timing = await timed([Deno.pid, server.pid], async () => {
        const result = await move(client, kind, big, target);
        if (!result.verified || result.hex !== big.digests[result.digest]) {
          throw new Error(`The resumed ${kind} of ${big.name} did not verify`);
        }
        resumedFrom = result.resumedFrom ?? 0;
      });
      if (at > 0 && resumedFrom === 0) throw new Error(`The ${kind} did not resume`);
      return { values: [timing.ms], cpu: timing.cpu };
    } finally {
      await client.quit().catch(() => {});
    }
  } finally {
    await Deno.remove(kind === "get" ? target : join(served, name)).catch(() => {});
  }
}

async function open(server: FerryServer, secret: string): Promise<Client> {
  const client = await connect({ hostname: HOST, port: server.port, resumeSecret: secret });
  await client.require("resume");
  return client;
}

function move(
  client: Client,
  kind: Kind,
  file: TestFile,
  target: string,
  onProgress?: (bytes: number) => void,
) {
  return kind === "get"
    ? client.get(file.name, target, { onProgress })
    : client.put(file.path, target, { onProgress });
}

/**
 * Scenario 9: a listing of a big folder beside small transfers by another client.
 * The folder holds `--listing-names` names of 200 bytes and one 5-byte file. One
 * variant times 5-byte gets alone; the other times them while a classic `ls` of the
 * folder runs in another process (the raw peer, which reads the listing and drops it,
 * so the client's parsing is not in the figures), and the `ls` itself.
 *
 * @module
 */

import { join } from "node:path";
import { alternate, type Measured, type Variant } from "./measure.ts";
import { PERMISSIONS, spawnChild } from "../tests/support/ferry_process.ts";
import type { Client } from "../src/client/client.ts";
import { checkout, type FerryServer, RAW_PEER, startFerry, track } from "./processes.ts";
import { figureMaker, median } from "./report.ts";
import { withLibraryClient } from "./transfers.ts";
import { type Bench, resetFolder } from "./workspace.ts";

/** Gets before timing starts, and at least this many timed alone. */
const ALONE = 20;

/**
 * Writes a folder of `count` empty files with 200-byte names, and `small.txt`. They are
 * made in a shuffled order: tmpfs lists a folder in the order it was filled, and a
 * listing that comes sorted already costs a sort next to nothing (ext4 lists by hash).
 */
async function bigFolder(root: string, count: number): Promise<string> {
  const folder = join(root, "listing");
  await Deno.mkdir(folder);
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1, seed = 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  for (const i of order) {
    const name = `${String(i).padStart(6, "0")}-`.padEnd(200, "abcdefghij"[i % 10]);
    await Deno.writeFile(join(folder, name), new Uint8Array());
  }
  await Deno.writeTextFile(join(folder, "small.txt"), "hello");
  return folder;
}

/** Times 5-byte gets over `session` until `until()`, and removes the copies. */
async function smallGets(
  session: Client,
  local: string,
  until: () => boolean,
): Promise<number[]> {
  const waits: number[] = [];
  for (let i = 0; !until() && i < 10_000; i++) {
    const started = performance.now();
    await session.get("small.txt", join(local, `small-${i}`));
    waits.push(performance.now() - started);
  }
  await resetFolder(local);
  return waits;
}

/** One `ls` in another process, and 5-byte gets from this one while it runs. */
async function getsBesideList(server: FerryServer, local: string): Promise<Measured> {
  return await withLibraryClient(server, async (session) => {
    // Its banner, `sent`, says the ls is under way: the gets are timed from then on.
    const args = ["run", ...PERMISSIONS, RAW_PEER, "list", String(server.port)];
    await using lister = track(await spawnChild(Deno.execPath(), args));
    let listed = false;
    const output = lister.readOutput("\n").then((text) => {
      listed = true;
      return text;
    });
    const waits = await smallGets(session, local, () => listed);
    const [, ms] = (await output).trim().split(" ");
    return { values: [median(waits), Math.max(...waits), Number(ms)] };
  });
}

/** Scenario 9: small gets alone, and beside a listing of the big folder (baseline too). */
export async function listingScenario(bench: Bench): Promise<void> {
  const { options, workspace, results, baseline } = bench;
  const names = options.listingNames;
  const folder = await bigFolder(workspace.root, names);
  const figure = figureMaker("listing", 9, "ms");
  await using stack = new AsyncDisposableStack();
  const variants: Variant[] = [];
  for (const source of baseline ? [checkout(), baseline] : [checkout()]) {
    const server = stack.use(await startFerry(folder, { source }));
    const [id, who] = source === baseline ? ["_baseline", `${source.name} `] : ["", ""];
    variants.push(
      {
        figures: [
          figure(`get_alone${id}`, `${who}5-byte get alone, median of ${ALONE}`, {
            tag: `alone${id}`,
          }),
          figure(`get_alone_max${id}`, `${who}5-byte get alone, longest of ${ALONE}`),
        ],
        run: () =>
          withLibraryClient(server, async (session): Promise<Measured> => {
            let count = 0;
            const waits = await smallGets(session, workspace.local, () => count++ >= ALONE);
            return { values: [median(waits), Math.max(...waits)] };
          }),
      },
      {
        figures: [
          figure(`get_beside_ls${id}`, `${who}5-byte get beside ls of ${names} names, median`, {
            vs: [`listing.get_alone${id}`],
          }),
          figure(`get_beside_ls_max${id}`, `${who}5-byte get beside that ls, longest`, {
            vs: [`listing.get_alone${id}`, "listing.get_beside_ls_max_baseline"],
            tag: id ? "baseline" : undefined,
          }),
          figure(`ls${id}`, `${who}ls of ${names} names (raw client, listing dropped)`, {
            vs: id ? [] : ["listing.ls_baseline"],
            tag: id ? "baseline" : undefined,
          }),
        ],
        run: () => getsBesideList(server, workspace.local),
      },
    );
  }
  await alternate(options.runs, results, variants, 1);
}

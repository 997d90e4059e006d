/**
 * One client never stalls the rest: a listing of a folder of many thousand names runs
 * beside another client's small transfers, which go on as if it were not there.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { connect } from "../../src/client/connect.ts";
import { tempDir, testServer } from "../support/helpers.ts";

const NAMES = 30_000;

Deno.test(`a listing of ${NAMES} names does not hold up another client's small gets`, async () => {
  await using server = await testServer();
  await using local = await tempDir();
  for (let i = 0; i < NAMES; i++) {
    Deno.writeFileSync(
      server.root.file(`${String(i).padStart(6, "0")}-`.padEnd(200, "x")),
      new Uint8Array(),
    );
  }
  await Deno.writeTextFile(server.root.file("small.txt"), "hello");
  await using lister = await connect({ port: server.port });
  await using other = await connect({ port: server.port });
  await other.get("small.txt", local.file("warm-up"));
  let listed = false;
  const listing = lister.list().then((entries) => (listed = true, entries));
  const waits: number[] = [];
  for (let i = 0; !listed && i < 1000; i++) {
    const started = performance.now();
    await other.get("small.txt", local.file(`copy-${i}`));
    waits.push(performance.now() - started);
  }
  assertEquals((await listing).size, NAMES + 1);
  // Loosely: a get takes a few ms; held up behind the listing, it took over a second.
  const longest = Math.max(...waits);
  assert(waits.length >= 3, `only ${waits.length} gets ran during the listing`);
  assert(longest < 400, `a 5-byte get waited ${longest.toFixed(0)} ms beside the listing`);
});

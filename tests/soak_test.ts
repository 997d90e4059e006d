/**
 * A short soak in the suite: a few clients at once mix `ls`, `get` and `put` against an
 * in-process server (so the sanitizers see every socket), and nothing may fail or go
 * missing. `deno task soak` runs the long one.
 *
 * @module
 */

import { assertEquals } from "./assert.ts";
import { formatSoakReport, runSoak } from "../bench/soak.ts";

Deno.test("eight clients mixing ls, get and put lose nothing and hit no error", async () => {
  const report = await runSoak({
    clients: 8,
    ops: 15,
    maxSize: 64 * 1024,
    seconds: 20,
    server: "inprocess",
  });
  const summary = formatSoakReport(report);
  assertEquals(report.errors, [], summary);
  assertEquals(report.errorCount, 0, summary);
  assertEquals([report.lost, report.corrupt, report.debris], [[], [], []], summary);
  assertEquals(report.transfers.ls + report.transfers.get + report.transfers.put, 8 * 15, summary);
  assertEquals(report.timedOut, false, summary);
  assertEquals(report.stored > 0, true, summary);
});

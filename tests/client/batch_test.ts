import { assert, assertEquals } from "../support/assert.ts";
import { connect } from "../../src/client/connect.ts";
import { CancelledError } from "../../src/common/errors.ts";
import { runBatch } from "../../src/client/batch.ts";
import { planManyGet, planManyPut } from "../../src/client/batch_plans.ts";
import { namesIn, randomBytes, tempDir, testServer } from "../support/helpers.ts";

Deno.test("`runBatch()` ends at a lost connection and reports the rest as not tried", async () => {
  await using server = await testServer();
  await using local = await tempDir();
  for (const name of ["a", "b", "c"]) await Deno.writeTextFile(local.file(name), name);
  await using client = await connect({ port: server.port });
  const patterns = ["a", "b", "c"].map((name) => local.file(name));
  const plan = await planManyPut(client, { patterns });
  const report = await runBatch(client, plan, {
    events: { onDone: (outcome) => outcome.status === "sent" && client.close() },
  });
  assertEquals(report.outcomes.map((o) => o.status), ["sent", "failed", "failed"]);
  const reasons = report.outcomes.flatMap((o) =>
    o.status === "failed" ? [(o.error as Error).message] : []
  );
  assertEquals(reasons, [
    "not tried: the connection was lost",
    "not tried: the connection was lost",
  ]);
});

Deno.test("`runBatch()` cancelled mid-file keeps nothing of that file and tries no more", async () => {
  await using server = await testServer();
  await using local = await tempDir();
  for (const name of ["a", "b", "c"]) {
    await Deno.writeFile(server.root.file(name), randomBytes(name === "b" ? 8 << 20 : 10));
  }
  await using client = await connect({ port: server.port });
  const plan = await planManyGet(client, { patterns: ["a", "b", "c"], into: local.path });
  const cancel = new AbortController();
  const report = await runBatch(client, plan, {
    signal: cancel.signal,
    events: { onProgress: (bytes) => bytes >= 1 << 20 && cancel.abort() },
  });
  assertEquals(report.outcomes.map((o) => o.status), ["sent", "failed", "failed"]);
  const [, cut, rest] = report.outcomes.map((o) => o.status === "failed" ? o.error : undefined);
  assert(cut instanceof CancelledError, `expected CancelledError, got ${cut}`);
  assertEquals((rest as Error).message, "not tried: the batch was cancelled");
  assertEquals(await namesIn(local.path), ["a"]); // No part of b, no temp file.
  assertEquals([...await client.list()].length, 3); // The session goes on.
});

Deno.test("`runBatch()` refuses a file it cannot compare unless told to replace", async () => {
  // A server without `hash`: a file of the same size there could be anything.
  const features = [{ name: "path" }, { name: "list-long" }, { name: "manage" }];
  await using server = await testServer({ features });
  await using local = await tempDir();
  await Deno.writeTextFile(local.file("f"), "mine");
  await Deno.writeTextFile(server.root.file("f"), "same");
  await using client = await connect({ port: server.port, features });
  const first = await runBatch(client, await planManyPut(client, { patterns: [local.file("f")] }));
  const outcome = first.outcomes[0];
  assertEquals(
    outcome.status === "failed" && (outcome.error as Error).message,
    `"${local.file("f")}" exists on the server and cannot be compared (the server has no hash)`,
  );
  const second = await runBatch(
    client,
    await planManyPut(client, { patterns: [local.file("f")] }),
    {
      replace: true,
    },
  );
  assertEquals(second.outcomes.map((o) => o.status), ["sent"]);
  assertEquals(await Deno.readTextFile(server.root.file("f")), "mine");
});

Deno.test("`runBatch()` compares by hash when the server's size is not known beforehand", async () => {
  await using server = await testServer();
  await using local = await tempDir();
  await Deno.writeTextFile(server.root.file("same.txt"), "identical");
  await Deno.writeTextFile(server.root.file("other.txt"), "theirs");
  await Deno.writeTextFile(local.file("same.txt"), "identical");
  await Deno.writeTextFile(local.file("other.txt"), "mine, longer");
  await using client = await connect({ port: server.port });
  // Plain names, no pattern: the plan has no listing, so no sizes.
  const plan = await planManyGet(client, { patterns: ["same.txt", "other.txt"], into: local.path });
  assertEquals(plan.files.map((f) => f.size), [undefined, undefined]);
  const report = await runBatch(client, plan);
  assertEquals(report.outcomes.map((o) => o.status), ["skipped", "failed"]);
  assertEquals(await Deno.readTextFile(local.file("other.txt")), "mine, longer");
});

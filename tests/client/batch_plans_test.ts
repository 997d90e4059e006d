import { assertEquals, assertRejects } from "../support/assert.ts";
import { LocalFileError } from "../../src/common/errors.ts";
import { connect } from "../../src/client/connect.ts";
import {
  planManyGet,
  planManyPut,
  planTreeGet,
  planTreePut,
  serverPathProblem,
} from "../../src/client/batch_plans.ts";
import { tempDir, testServer } from "../support/helpers.ts";

Deno.test("`serverPathProblem()` allows only paths that go down", () => {
  assertEquals(serverPathProblem("a/b c/d.txt"), undefined);
  assertEquals(serverPathProblem("a/../b"), 'Path "a/../b" steps up out of the folder');
  assertEquals(
    serverPathProblem("/etc/passwd"),
    'Path "/etc/passwd" is not allowed: it must be relative',
  );
  assertEquals(serverPathProblem("a/./b")?.includes('empty or "." segment'), true);
});

Deno.test("`planManyPut()` expands local patterns; a name that exists as typed is itself", async () => {
  await using server = await testServer();
  await using local = await tempDir();
  for (const name of ["a.txt", "b.txt", "c.jpg", "x*y"]) {
    await Deno.writeTextFile(local.file(name), name);
  }
  await Deno.writeTextFile(local.file("xzy"), "");
  await Deno.mkdir(local.file("d.txt"));
  await using client = await connect({ port: server.port });
  const plan = await planManyPut(client, {
    patterns: [
      local.file("*.txt"),
      local.file("x*y"),
      local.file("*.none"),
    ],
  });
  assertEquals(plan.files.map((f) => f.remote), ["a.txt", "b.txt", "x*y"]);
  assertEquals(plan.refused.map((r) => r.reason), [
    "matches nothing here",
    "a folder (a recursive put sends folders)",
  ]);
});

Deno.test("`planManyGet()` works with a base server's ls, and never asks it for more", async () => {
  await using server = await testServer({ features: [] });
  for (const name of ["a.txt", "b.txt", "c.jpg"]) {
    await Deno.writeTextFile(server.root.file(name), name);
  }
  await using local = await tempDir();
  await using client = await connect({ port: server.port, features: [] });
  const plan = await planManyGet(client, { patterns: ["*.txt", "c.jpg"], into: local.path });
  assertEquals(plan.files.map((f) => [f.remote, f.local]), [
    ["a.txt", local.file("a.txt")],
    ["b.txt", local.file("b.txt")],
    ["c.jpg", local.file("c.jpg")],
  ]);
  assertEquals(server.events.map((e) => e.action), ["connect", "feat", "ls"]);
});

Deno.test("`planTreePut()` plans only the folders the server lacks, and knows what it has", async () => {
  await using server = await testServer();
  await Deno.mkdir(server.root.file("tree", "old"), { recursive: true });
  await Deno.writeTextFile(server.root.file("tree", "there.txt"), "12");
  await using local = await tempDir();
  await Deno.mkdir(local.file("tree", "old"), { recursive: true });
  await Deno.mkdir(local.file("tree", "new"));
  await Deno.writeTextFile(local.file("tree", "there.txt"), "34");
  await using client = await connect({ port: server.port });
  const plan = await planTreePut(client, { dir: local.file("tree") });
  assertEquals(plan.folders.map((f) => f.path), ["tree/new"]);
  assertEquals(plan.files.map((f) => [f.remote, f.existing]), [["tree/there.txt", 2]]);
});

Deno.test("`planTreeGet()` refuses a local folder that is not there before asking the server", async () => {
  await using server = await testServer();
  await using local = await tempDir();
  await using client = await connect({ port: server.port });
  await assertRejects(
    () => planTreeGet(client, { dir: "tree", into: local.file("missing") }),
    LocalFileError,
    "No such local folder",
  );
  assertEquals(server.events.map((e) => e.action), ["connect"]);
});

/**
 * The folder extensions as extensions: a base-protocol server hears `feat` once and
 * nothing new after it, each new command then says in one sentence that the server
 * lacks it, base commands go on; a plain-mode client negotiates only when a command
 * needs an extension; and what a lying server lists is never written outside.
 */
import { connect } from "../../src/client/connect.ts";
import { runBatch } from "../../src/client/batch.ts";
import { planManyGet, planTreeGet } from "../../src/client/batch_plans.ts";
import { UnsupportedError } from "../../src/common/errors.ts";
import { encodeField, encodeFrame } from "../../src/protocol/field.ts";
import { formatTrailer } from "../../src/protocol/trailers.ts";
import { assertEquals, assertRejects } from "../support/assert.ts";
import { concat, namesIn, sha256, tempDir, testServer } from "../support/helpers.ts";
import type { Peer } from "../support/peer.ts";
import { type ScriptedData, scriptedServer } from "../support/scripted_server.ts";

const decoder = new TextDecoder();

/** Reads one command frame from the control connection; `quit` if it closed. */
async function command(control: Peer): Promise<string> {
  const frame = await control.reader.readFrame(4096);
  return frame === null ? "quit" : decoder.decode(frame);
}

/** Answers one port-kind command with `payload` on a data connection. */
async function serveData(control: Peer, openData: () => ScriptedData, payload: Uint8Array) {
  const data = openData();
  await control.send(encodeField(data.port));
  const conn = await data.accept();
  await conn.send(payload);
  await conn.reader.closesWithin(5_000);
  conn.close();
}

Deno.test("against a base server, each folder command says in one sentence it is unsupported", async () => {
  const heard: string[] = [];
  await using server = scriptedServer(async (control, openData) => {
    for (let text; (text = await command(control)) !== "quit";) {
      heard.push(text);
      if (text.startsWith("feat")) {
        await control.send(encodeField(0), encodeFrame('Unknown command "feat"'));
      } else if (text === "ls") await serveData(control, openData, encodeFrame("a.txt\n"));
    }
  });
  await using local = await tempDir();
  await Deno.writeTextFile(local.file("up"), "x");
  await using client = await connect({ port: server.port });
  const address = `The server at 127.0.0.1:${server.port} does not support`;
  const unsupported: [() => Promise<unknown>, string][] = [
    [() => client.cd("photos"), "folders and paths"],
    [() => client.cd(), "folders and paths"],
    [() => client.list("photos"), "folders and paths"],
    [() => client.get("photos/a.jpg", local.file("a")), "folders and paths"],
    [() => client.listLong(), "long listings"],
    [() => client.tree("x"), "long listings"],
    [() => client.hash("a.txt"), "comparing files by hash"],
    [() => client.mkdir("d"), "changing files and folders"],
    [() => client.rmdir("d"), "changing files and folders"],
    [() => client.remove("a.txt"), "changing files and folders"],
    [() => client.rename("a.txt", "b.txt"), "changing files and folders"],
    [() => client.put(local.file("up"), "up", { replace: true }), "changing files and folders"],
  ];
  for (const [call, what] of unsupported) {
    const error = await assertRejects(call, UnsupportedError);
    assertEquals(error.message.startsWith(`${address} ${what} (the "`), true, error.message);
  }
  assertEquals(Array.from(await client.list(), (e) => e.name), ["a.txt"], "base commands go on");
  assertEquals(
    heard,
    ["feat path list-long manage hash frames digest=xxh128,sha256 inline resume", "ls"],
    "feat once, nothing new after",
  );
});

Deno.test("in plain mode, base commands send no feat; the first folder command does", async () => {
  await using server = await testServer();
  await Deno.mkdir(server.root.file("d"));
  await Deno.writeTextFile(server.root.file("d", "f.txt"), "in d");
  await using local = await tempDir();
  {
    await using client = await connect({ port: server.port });
    await client.list();
    await client.cd("d");
    await client.get("f.txt", local.file("f.txt"));
  }
  {
    await using client = await connect({ port: server.port });
    await client.listLong();
  }
  await server.waitFor((e) =>
    e.action === "quit" && server.events.filter((x) => x.action === "quit").length === 2
  );
  const sessions = Map.groupBy(server.events, (e) => e.peer);
  assertEquals([...sessions.values()].map((events) => events.map((e) => e.action)), [
    // Once agreed (for cd), a get is a reget: it resumes if it is cut (PROTOCOL.md §19).
    ["connect", "ls", "feat", "cd", "reget", "quit"],
    ["connect", "feat", "list", "quit"],
  ]);
  assertEquals(await Deno.readTextFile(local.file("f.txt")), "in d");
});

/**
 * A server that agrees to everything and lists a tree full of traps, then serves any
 * `get` with `GOOD` and its right trailer.
 */
function lyingServer(listing: string, heard: string[]) {
  return scriptedServer(async (control, openData) => {
    for (let text; (text = await command(control)) !== "quit";) {
      heard.push(text);
      if (text.startsWith("feat")) await control.sendFrame("ok path list-long manage hash");
      else if (text.startsWith("tree") || text.startsWith("ls") || text.startsWith("list")) {
        await serveData(control, openData, encodeFrame(listing));
      } else if (text.startsWith("get ")) {
        const body = new TextEncoder().encode("GOOD");
        await serveData(
          control,
          openData,
          concat(encodeFrame(body), encodeFrame(formatTrailer(sha256(body)))),
        );
      } else await control.send(encodeField(0), encodeFrame("No"));
    }
  });
}

Deno.test("a tree whose entries would write outside the target is refused and reported", async () => {
  const heard: string[] = [];
  const listing = [
    "f 4 - ../escaped.txt",
    "f 4 - ok/../../escaped2.txt",
    "f 4 - /tmp/absolute.txt",
    "f 4 - a//b.txt",
    "l - - link",
    "d - - ok",
    "f 4 - ok/fine.txt",
    "f 4 - ok/sub\\..\\x.txt",
  ].join("\n") + "\n";
  await using server = lyingServer(listing, heard);
  await using local = await tempDir();
  await Deno.mkdir(local.file("into"));
  await using client = await connect({ port: server.port });
  const plan = await planTreeGet(client, { dir: "tree", into: local.file("into") });
  const report = await runBatch(client, plan);
  assertEquals(plan.refused.map((r) => r.shown), [
    "tree/../escaped.txt",
    "tree/ok/../../escaped2.txt",
    "tree//tmp/absolute.txt",
    "tree/a//b.txt",
    "tree/link",
    "tree/ok/sub\\..\\x.txt",
  ]);
  assertEquals(report.outcomes.map((o) => [o.file.shown, o.status]), [[
    "tree/ok/fine.txt",
    "sent",
  ]]);
  assertEquals(await namesIn(local.path), ["into"]);
  assertEquals(await namesIn(local.file("into", "tree")), ["ok"]);
  assertEquals(await namesIn(local.file("into", "tree", "ok")), ["fine.txt"]);
  assertEquals(heard.filter((text) => text.startsWith("get")), ["get tree/ok/fine.txt"]);
});

Deno.test("a listing entry for mget that is not one plain name is refused", async () => {
  const heard: string[] = [];
  await using server = lyingServer(
    "f 4 - x/../../up.txt\nf 4 - a/b.txt\nf 4 - c.txt\nd - - d.txt\n",
    heard,
  );
  await using local = await tempDir();
  await using client = await connect({ port: server.port });
  const plan = await planManyGet(client, { patterns: ["*.txt"], into: local.path });
  await runBatch(client, plan);
  assertEquals(plan.refused.map((r) => `${r.shown}: ${r.reason}`), [
    'x/../../up.txt: unsafe name from the server: File name "x/../../up.txt" is not allowed: it must not contain / or \\',
    'a/b.txt: unsafe name from the server: File name "a/b.txt" is not allowed: it must not contain / or \\',
    "d.txt: a folder (a recursive get fetches folders)",
  ]);
  assertEquals(await namesIn(local.path), ["c.txt"]);
});

Deno.test("a local link inside the target is never written through", async () => {
  await using server = await testServer();
  await Deno.mkdir(server.root.file("tree", "sub"), { recursive: true });
  await Deno.writeTextFile(server.root.file("tree", "sub", "f.txt"), "payload");
  await Deno.writeTextFile(server.root.file("tree", "top.txt"), "top");
  await using local = await tempDir();
  await using elsewhere = await tempDir();
  await Deno.mkdir(local.file("tree"));
  await Deno.symlink(elsewhere.path, local.file("tree", "sub"));
  await using client = await connect({ port: server.port });
  const plan = await planTreeGet(client, { dir: "tree", into: local.path });
  const report = await runBatch(client, plan);
  assertEquals(await namesIn(elsewhere.path), []);
  assertEquals(plan.refused.map((r) => r.reason), [
    'folder not made: "sub" is a link here: nothing is written through it',
  ]);
  assertEquals(report.outcomes.map((o) => [o.file.shown, o.status]), [
    ["tree/sub/f.txt", "failed"],
    ["tree/top.txt", "sent"],
  ]);
});

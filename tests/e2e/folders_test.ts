/**
 * Folders end to end through the library: a tree mirrored to the server and back,
 * batches run again, replacing on purpose while someone reads, paths and the current
 * folder, management commands, and what a read-only server or token says.
 */
import { connect } from "../../src/client/connect.ts";
import { runBatch, tally } from "../../src/client/batch.ts";
import { planTreeGet, planTreePut } from "../../src/client/batch_plans.ts";
import type { Client } from "../../src/client/client.ts";
import { DestinationExistsError, RemoteError } from "../../src/common/errors.ts";
import { decodeField } from "../../src/protocol/field.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "../support/assert.ts";
import {
  randomBytes,
  RawClient,
  sha256,
  sha256File,
  tempDir,
  testServer,
  xxh128,
} from "../support/helpers.ts";
import { Peer } from "../support/peer.ts";
import { secureClient, secureServer, TOKENS } from "../support/secure.ts";
import { AWKWARD_TREE, readTree, writeTree } from "../support/trees.ts";

/** `put -r DIR` then, elsewhere, `get -r NAME`: the library's two commands. */
async function mirror(client: Client, from: string, name: string, into: string) {
  const sent = await runBatch(client, await planTreePut(client, { dir: `${from}/${name}` }));
  const got = await runBatch(client, await planTreeGet(client, { dir: name, into }));
  return { sent, got };
}

Deno.test("a tree mirrored to the server and back is the same byte for byte", async () => {
  await using server = await testServer();
  await using local = await tempDir();
  await Deno.mkdir(local.file("out", "tree"), { recursive: true });
  await Deno.mkdir(local.file("back"));
  await writeTree(local.file("out", "tree"), AWKWARD_TREE);
  await using client = await connect({ port: server.port });
  const { sent, got } = await mirror(client, local.file("out"), "tree", local.file("back"));
  const files = Object.values(AWKWARD_TREE).filter((content) => content !== null).length;
  assertEquals(tally(sent), { sent: files, skipped: 0, failed: 0 });
  assertEquals(tally(got), { sent: files, skipped: 0, failed: 0 });
  const original = await readTree(local.file("out", "tree"));
  assertEquals(await readTree(server.root.file("tree")), original);
  assertEquals(await readTree(local.file("back", "tree")), original);
});

Deno.test("a batch run again skips what is there by hash and sends the rest", async () => {
  await using server = await testServer();
  await using local = await tempDir();
  await writeTree(local.file("tree"), { "a.txt": "one", "b.txt": "two", "sub/c.txt": "three" });
  await using client = await connect({ port: server.port });
  await runBatch(client, await planTreePut(client, { dir: local.file("tree") }));
  // Cut short, as it were: one file never arrived; another has the same name and
  // size on the server but other bytes, which a check by name would miss.
  await Deno.remove(server.root.file("tree", "sub", "c.txt"));
  await Deno.writeTextFile(server.root.file("tree", "b.txt"), "TWO");
  const again = await runBatch(client, await planTreePut(client, { dir: local.file("tree") }));
  const status = Object.fromEntries(again.outcomes.map((o) => [o.file.shown, o.status]));
  assertEquals(status, {
    "tree/a.txt": "skipped",
    "tree/b.txt": "failed",
    "tree/sub/c.txt": "sent",
  });
  const failed = again.outcomes.find((o) => o.status === "failed");
  assertEquals(failed?.status === "failed" && failed.error instanceof DestinationExistsError, true);
  assertEquals(
    await Deno.readTextFile(server.root.file("tree", "b.txt")),
    "TWO",
    "not overwritten",
  );
  const replaced = await runBatch(client, await planTreePut(client, { dir: local.file("tree") }), {
    replace: true,
  });
  assertEquals(tally(replaced), { sent: 1, skipped: 2, failed: 0 });
  assertEquals(await readTree(server.root.file("tree")), await readTree(local.file("tree")));
});

Deno.test("a replace takes the name atomically while a reader keeps the old bytes", async () => {
  await using server = await testServer();
  await using local = await tempDir();
  const old = randomBytes(32 << 20); // Far more than the socket buffers hold.
  const fresh = randomBytes(1 << 20);
  await Deno.writeFile(server.root.file("report.pdf"), old);
  await Deno.writeFile(local.file("report.pdf"), fresh);
  // A reader mid-get of the old file.
  using raw = await RawClient.connect(server.port);
  await raw.command("get report.pdf");
  const { port } = await raw.reply() as { port: number };
  using data = await Peer.connect(port);
  const length = decodeField((await data.reader.readExact(10))!);
  const start = await data.reader.readExact(65536);
  await using client = await connect({ port: server.port });
  await assertRejects(() => client.put(local.file("report.pdf")), RemoteError, "already exists");
  const result = await client.put(local.file("report.pdf"), "report.pdf", { replace: true });
  assertEquals([result.verified, await sha256File(server.root.file("report.pdf"))], [
    true,
    sha256(fresh),
  ]);
  const rest = await data.reader.readExact(length - 65536);
  const received = new Uint8Array(length);
  received.set(start!);
  received.set(rest!, 65536);
  assertEquals([length, sha256(received)], [old.byteLength, sha256(old)]);
  assertEquals(
    Array.from(await client.list(), (e) => e.name),
    ["report.pdf"],
    "no temp file shows",
  );
});

Deno.test("get with replace swaps the local file whole; without it, nothing is overwritten", async () => {
  await using server = await testServer();
  await using local = await tempDir();
  await Deno.writeTextFile(server.root.file("f.txt"), "server's");
  await Deno.writeTextFile(local.file("f.txt"), "mine");
  await using client = await connect({ port: server.port });
  await assertRejects(() => client.get("f.txt", local.file("f.txt")), DestinationExistsError);
  assertEquals(await Deno.readTextFile(local.file("f.txt")), "mine");
  await client.get("f.txt", local.file("f.txt"), { replace: true });
  assertEquals(await Deno.readTextFile(local.file("f.txt")), "server's");
});

Deno.test("paths and the current folder: cd, pwd, .., and paths from the root", async () => {
  await using server = await testServer();
  await using local = await tempDir();
  await Deno.mkdir(server.root.file("photos", "2024"), { recursive: true });
  await Deno.writeTextFile(server.root.file("photos", "a.jpg"), "A");
  await Deno.writeTextFile(server.root.file("photos", "2024", "b.jpg"), "B");
  await Deno.writeTextFile(server.root.file("top.txt"), "T");
  await using client = await connect({ port: server.port });
  await client.get("photos/a.jpg", local.file("a.jpg"));
  assertEquals(await client.cd("photos/2024"), "/photos/2024");
  assertEquals(await client.cd(), "/photos/2024", "pwd asks the server");
  assertEquals(Array.from(await client.list(), (e) => e.name), ["b.jpg"]);
  await client.get("../a.jpg", local.file("a2.jpg"));
  await client.get("/top.txt", local.file("top.txt"));
  assertEquals(Array.from(await client.list("/"), (e) => e.name), ["photos", "top.txt"]);
  assertEquals(await client.cd(".."), "/photos");
  assertEquals(await client.cd("/"), "/");
  await assertRejects(() => client.cd("top.txt"), RemoteError, 'No such folder "top.txt"');
  await assertRejects(() => client.cd("nope"), RemoteError, 'No such folder "nope"');
  assertEquals(await client.cd(), "/", "a refused cd moves nothing");
  await client.put(local.file("a.jpg"), "photos/2024/");
  assertEquals(await Deno.readTextFile(server.root.file("photos", "2024", "a.jpg")), "A");
  assertEquals(await Deno.readTextFile(local.file("top.txt")), "T");
});

Deno.test("mkdir, rename, rm and rmdir change the server's folder, each answered in a sentence", async () => {
  await using server = await testServer();
  await Deno.writeTextFile(server.root.file("notes.txt"), "n");
  await using client = await connect({ port: server.port });
  await client.mkdir("docs");
  await client.rename("notes.txt", "docs/");
  await client.rename("docs/notes.txt", "docs/old notes.txt");
  await assertRejects(
    () => client.mkdir("docs"),
    RemoteError,
    '"docs" already exists on the server',
  );
  await assertRejects(() => client.rmdir("docs"), RemoteError, 'Folder "docs" is not empty');
  await assertRejects(() => client.remove("docs"), RemoteError, '"docs" is a folder');
  await client.remove("docs/old notes.txt");
  await client.rmdir("docs");
  assertEquals([...await client.list()], []);
  const changes = server.events.filter((e) =>
    ["mkdir", "rename", "rm", "rmdir"].includes(e.action)
  );
  assertEquals(changes.map((e) => `${e.action} ${e.name} ${e.result}`), [
    "mkdir docs ok",
    "rename notes.txt -> docs/notes.txt ok",
    "rename docs/notes.txt -> docs/old notes.txt ok",
    'mkdir docs refused: "docs" already exists on the server',
    'rmdir docs refused: Folder "docs" is not empty',
    'rm docs refused: "docs" is a folder: remove it as a folder',
    "rm docs/old notes.txt ok",
    "rmdir docs ok",
  ]);
});

Deno.test("hash() is the file's digest in the session's digest, worked out on the server", async () => {
  await using server = await testServer();
  const bytes = randomBytes(3_000_000);
  await Deno.writeFile(server.root.file("f.bin"), bytes);
  await using client = await connect({ port: server.port });
  assertEquals(await client.hash("f.bin"), { name: "xxh128", hex: await xxh128(bytes) });
  await using strict = await connect({ port: server.port, digest: "sha256" });
  assertEquals(await strict.hash("f.bin"), { name: "sha256", hex: sha256(bytes) });
  await assertRejects(() => client.hash("nope"), RemoteError, 'No such file "nope"');
});

Deno.test("a read-only server refuses every change in one sentence and still lists", async () => {
  await using server = await testServer({ readOnly: true });
  await Deno.mkdir(server.root.file("d"));
  await Deno.writeTextFile(server.root.file("f"), "x");
  await using local = await tempDir();
  await Deno.writeTextFile(local.file("f"), "y");
  await using client = await connect({ port: server.port });
  const refused = "This server is read-only: changes are refused";
  await assertRejects(() => client.mkdir("new"), RemoteError, refused);
  await assertRejects(() => client.rmdir("d"), RemoteError, refused);
  await assertRejects(() => client.remove("f"), RemoteError, refused);
  await assertRejects(() => client.rename("f", "g"), RemoteError, refused);
  await assertRejects(
    () => client.put(local.file("f"), "f", { replace: true }),
    RemoteError,
    "This server is read-only: uploads are refused",
  );
  assertEquals((await client.listLong()).map((e) => e.path), ["d", "f"]);
});

Deno.test("a read-only token refuses every change over TLS; a read-write one mirrors a tree", async () => {
  await using server = await secureServer();
  await using local = await tempDir();
  await writeTree(local.file("out", "tree"), { "x.txt": "x", "sub/y.txt": "y" });
  await Deno.mkdir(local.file("back"));
  {
    await using reader = await secureClient(server.port, TOKENS.readOnly);
    await assertRejects(
      () => reader.mkdir("new"),
      RemoteError,
      "This token is for reading only: changes are refused",
    );
  }
  await using client = await secureClient(server.port);
  // Secure mode frames every payload (PROTOCOL.md §16), paths and batches included.
  assertStringIncludes((await client.features()).toString(), "path list-long manage hash frames");
  await mirror(client, local.file("out"), "tree", local.file("back"));
  assertEquals(
    await readTree(local.file("back", "tree")),
    await readTree(local.file("out", "tree")),
  );
});

/** End to end through the library: a real server and client on loopback. */
import { assert, assertEquals, assertRejects } from "../support/assert.ts";
import { connect } from "../../src/client/connect.ts";
import { LocalFileError, RemoteError, UsageError } from "../../src/common/errors.ts";
import {
  namesIn,
  randomBytes,
  sha256,
  sha256File,
  tempDir,
  testServer,
} from "../support/helpers.ts";

for (const size of [0, 1, 65535, 65536, 65537, 10 * 1024 * 1024 + 3]) {
  Deno.test(`put then get of ${size} random bytes keeps every byte`, async () => {
    await using server = await testServer();
    await using local = await tempDir();
    const data = randomBytes(size);
    await Deno.writeFile(local.file("original"), data);
    await using client = await connect({ port: server.port });

    const put = await client.put(local.file("original"), "stored.bin");
    assertEquals([put.bytes, put.hex, put.verified], [size, sha256(data), true]);
    assertEquals(await sha256File(server.root.file("stored.bin")), sha256(data));

    const got = await client.get("stored.bin", local.file("copy"));
    assertEquals([got.bytes, got.hex, got.verified], [size, sha256(data), true]);
    assertEquals(await sha256File(local.file("copy")), sha256(data));
    assertEquals(await namesIn(local.path), ["copy", "original"]);
  });
}

Deno.test("names with spaces and non-ASCII travel both ways", async () => {
  await using server = await testServer();
  await using local = await tempDir();
  const name = "naïve café 名前 – 🚢.txt";
  await Deno.writeTextFile(local.file("src"), "bonjour");
  await using client = await connect({ port: server.port });
  await client.put(local.file("src"), name);
  assertEquals([...await client.list()], [{ name, isDirectory: false }]);
  await client.get(name, local.file(name));
  assertEquals(await Deno.readTextFile(local.file(name)), "bonjour");
});

Deno.test("ls lists files and folders, sorted, with / after folders", async () => {
  await using server = await testServer();
  await Deno.mkdir(server.root.file("docs"));
  await Deno.writeTextFile(server.root.file("b.txt"), "");
  await Deno.writeTextFile(server.root.file("a.txt"), "");
  await using client = await connect({ port: server.port });
  assertEquals([...await client.list()], [
    { name: "a.txt", isDirectory: false },
    { name: "b.txt", isDirectory: false },
    { name: "docs", isDirectory: true },
  ]);
});

Deno.test("get of a missing file is refused and the session goes on", async () => {
  await using server = await testServer();
  await using local = await tempDir();
  await using client = await connect({ port: server.port });
  await assertRejects(
    () => client.get("nope", local.file("nope")),
    RemoteError,
    'No such file "nope"',
  );
  assertEquals([...await client.list()], []);
  assertEquals(await namesIn(local.path), []);
});

Deno.test("put of a missing or non-regular local file fails before anything is sent", async () => {
  await using server = await testServer();
  await using local = await tempDir();
  await using client = await connect({ port: server.port });
  await assertRejects(() => client.put(local.file("nope")), LocalFileError, "No such local file");
  await assertRejects(() => client.put(local.path, "dir"), LocalFileError, "not a regular file");
  assertEquals(server.events.filter((e) => e.action === "put"), []);
});

Deno.test("put never replaces a file on the server", async () => {
  await using server = await testServer();
  await using local = await tempDir();
  await Deno.writeTextFile(server.root.file("taken"), "original");
  await Deno.writeTextFile(local.file("taken"), "intruder");
  await using client = await connect({ port: server.port });
  await assertRejects(() => client.put(local.file("taken")), RemoteError, '"taken" already exists');
  assertEquals(await Deno.readTextFile(server.root.file("taken")), "original");
  assertEquals(await namesIn(server.root.path), ["taken"]);
});

Deno.test("get never replaces a local file", async () => {
  await using server = await testServer();
  await using local = await tempDir();
  await Deno.writeTextFile(server.root.file("f"), "remote");
  await Deno.writeTextFile(local.file("f"), "mine");
  await using client = await connect({ port: server.port });
  await assertRejects(
    () => client.get("f", local.file("f")),
    LocalFileError,
    "already exists here",
  );
  assertEquals(await Deno.readTextFile(local.file("f")), "mine");
  await client.get("f", local.file("g"));
  assertEquals(await namesIn(local.path), ["f", "g"]);
});

Deno.test("a read-only server refuses uploads and still serves downloads", async () => {
  await using server = await testServer({ readOnly: true });
  await using local = await tempDir();
  await Deno.writeTextFile(server.root.file("f"), "data");
  await Deno.writeTextFile(local.file("up"), "x");
  await using client = await connect({ port: server.port });
  await assertRejects(() => client.put(local.file("up")), RemoteError, "read-only");
  await client.get("f", local.file("f"));
  assertEquals(await namesIn(server.root.path), ["f"]);
});

Deno.test("the client refuses to send paths no server would accept", async () => {
  await using server = await testServer();
  await using client = await connect({ port: server.port });
  for (const name of ["../etc/passwd", "..", "a//b", "a\\b", "", "x\x1b[2J", "a/./b", "photos/"]) {
    await assertRejects(() => client.get(name, "unused"), UsageError);
  }
  assertEquals(server.events.filter((e) => e.action === "get"), []);
  // A path from the root stays inside it: "/etc/passwd" is the shared folder's etc/passwd.
  await assertRejects(
    () => client.get("/etc/passwd", "unused"),
    RemoteError,
    'No such file "etc/passwd"',
  );
});

Deno.test("ten clients putting and getting at once all get their own bytes", async () => {
  await using server = await testServer();
  await using local = await tempDir();
  const clients = Array.from({ length: 10 }, (_, i) => i);
  await Promise.all(clients.map(async (i) => {
    const data = randomBytes(200_000 + i * 1000);
    await Deno.writeFile(local.file(`in-${i}`), data);
    await using client = await connect({ port: server.port });
    for (let round = 0; round < 3; round++) {
      await client.put(local.file(`in-${i}`), `file-${i}-${round}`);
      await client.get(`file-${i}-${round}`, local.file(`out-${i}-${round}`));
      assertEquals(await sha256File(local.file(`out-${i}-${round}`)), sha256(data));
    }
  }));
  assertEquals((await namesIn(server.root.path)).length, 30);
});

Deno.test("two clients racing to put one name: one wins, the other hears why", async () => {
  await using server = await testServer();
  await using local = await tempDir();
  await Deno.writeFile(local.file("a"), randomBytes(3_000_000));
  await Deno.writeFile(local.file("b"), randomBytes(3_000_000));
  await using first = await connect({ port: server.port });
  await using second = await connect({ port: server.port });
  const results = await Promise.allSettled([
    first.put(local.file("a"), "contested"),
    second.put(local.file("b"), "contested"),
  ]);
  const won = results.filter((r) => r.status === "fulfilled");
  const lost = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
  assertEquals([won.length, lost.length], [1, 1]);
  assertEquals(lost[0].reason instanceof RemoteError, true);
  assertEquals(lost[0].reason.message, '"contested" already exists on the server');
  const stored = await sha256File(server.root.file("contested"));
  const candidates = [await sha256File(local.file("a")), await sha256File(local.file("b"))];
  assert(candidates.includes(stored), `${stored} is neither upload: ${candidates}`);
  assertEquals(await namesIn(server.root.path), ["contested"]);
});

Deno.test("a get into a folder that cannot be written fails locally, cleanly", async () => {
  await using server = await testServer();
  await Deno.writeTextFile(server.root.file("f"), "x");
  await using client = await connect({ port: server.port });
  await assertRejects(
    () => client.get("f", "/nonexistent-folder/f"),
    LocalFileError,
    "Cannot write",
  );
  assertEquals([...await client.list()], [{ name: "f", isDirectory: false }]);
});

Deno.test("connect() to a closed port says it cannot connect", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const { ConnectError } = await import("../../src/common/errors.ts");
  await assertRejects(() => connect({ port }), ConnectError, `Cannot connect to 127.0.0.1:${port}`);
});

Deno.test("a file with a name of 255 bytes can be downloaded under that name", async () => {
  await using server = await testServer();
  await using local = await tempDir();
  const name = "é".repeat(127) + "x";
  await Deno.writeTextFile(server.root.file(name), "long");
  await using client = await connect({ port: server.port });
  await client.get(name, local.file(name));
  assertEquals(await Deno.readTextFile(local.file(name)), "long");
});

Deno.test("get checks the local destination before anything is downloaded", async () => {
  await using server = await testServer();
  await using local = await tempDir();
  await Deno.writeTextFile(server.root.file("f"), "x");
  await Deno.writeTextFile(local.file("plain"), "");
  await using client = await connect({ port: server.port });
  const cases: [string, string][] = [
    [local.file("missing", "f"), "no such local folder"],
    [local.file("plain", "f"), "Cannot write"],
  ];
  for (const [destination, message] of cases) {
    await assertRejects(() => client.get("f", destination), LocalFileError, message);
  }
  assertEquals(server.events.filter((e) => e.action === "get"), []);
});

/**
 * Faults that must lose nothing: clients cut off at every stage of an upload, a
 * download cut at every stage, a disk that fills up, and a server killed mid-upload.
 */
import {
  assert,
  assertEquals,
  assertRejects,
  assertStartsWith,
  assertStringIncludes,
} from "../support/assert.ts";
import { connect } from "../../src/client/connect.ts";
import { RemoteError, TransferError } from "../../src/common/errors.ts";
import { encodeField, encodeFrame } from "../../src/protocol/field.ts";
import { spawnServe } from "../support/ferry_process.ts";
import { Peer } from "../support/peer.ts";
import {
  concat,
  namesIn,
  randomBytes,
  RawClient,
  sha256,
  sha256File,
  tempDir,
  testServer,
} from "../support/helpers.ts";

const PAYLOAD = randomBytes(200_000);
const COMMAND = encodeFrame("put cut.bin");
const DATA = concat(encodeField(PAYLOAD.byteLength), PAYLOAD);

/** Where an upload is cut: after `control` command bytes, then `data` data bytes. */
const CUTS: { control: number; data?: number }[] = [
  ...[0, 1, 9, 10, 11, COMMAND.byteLength - 1].map((control) => ({ control })),
  ...[0, 1, 9, 10, 11, 4096, 65536, 100_000, DATA.byteLength - 1].map((data) => ({
    control: COMMAND.byteLength,
    data,
  })),
];

Deno.test(`an upload cut at any of ${CUTS.length} points leaves no file and no debris`, async () => {
  await using server = await testServer();
  for (const cut of CUTS) {
    const raw = await RawClient.connect(server.port);
    const peer = `127.0.0.1:${raw.channel.localAddr.port}`;
    await raw.send(COMMAND.subarray(0, cut.control));
    if (cut.data !== undefined) {
      const { port } = await raw.reply() as { port: number };
      using data = await Deno.connect({ hostname: "127.0.0.1", port });
      for (let sent = 0; sent < cut.data;) sent += await data.write(DATA.subarray(sent, cut.data));
    }
    raw[Symbol.dispose](); // The client dies: every socket closes.
    await server.waitFor((e) => e.peer === peer && e.action === "disconnect");
    assertEquals(await namesIn(server.root.path), [], JSON.stringify(cut));
  }
  await connect({ port: server.port }).then((client) => client.quit());
});

Deno.test("an upload cut after its last byte is stored whole, never partly", async () => {
  await using server = await testServer();
  using raw = await RawClient.connect(server.port);
  await raw.send(COMMAND);
  const { port } = await raw.reply() as { port: number };
  const data = await Deno.connect({ hostname: "127.0.0.1", port });
  for (let sent = 0; sent < DATA.byteLength;) sent += await data.write(DATA.subarray(sent));
  data.close(); // Gone before the status.
  const event = await server.waitFor((e) => e.action === "put");
  assertStartsWith(event.result, "ok: sha256 ");
  assertEquals(await namesIn(server.root.path), ["cut.bin"]);
  assertEquals(await sha256File(server.root.file("cut.bin")), sha256(PAYLOAD));
});

/** A one-shot server that answers `get` by sending `bytes` on the data connection. */
function serveGetBytes(bytes: Uint8Array) {
  const control = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const data = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const done = (async () => {
    using peer = new Peer(await control.accept());
    const reader = peer.reader;
    await reader.readFrame(100);
    await peer.send(encodeField(data.addr.port));
    const dataConn = await data.accept();
    for (let sent = 0; sent < bytes.byteLength;) sent += await dataConn.write(bytes.subarray(sent));
    dataConn.close(); // Cut here.
    await reader.readFrame(100).catch(() => null); // Until the client quits or hangs up.
  })();
  return {
    port: control.addr.port,
    async [Symbol.asyncDispose]() {
      await done;
      control.close();
      data.close();
    },
  };
}

const FILE = randomBytes(100_000);
const GET_STREAM = concat(
  encodeField(FILE.byteLength),
  FILE,
  encodeFrame(`sha256 ${sha256(FILE)}`),
);
const PAYLOAD_END = 10 + FILE.byteLength;

Deno.test("a download cut at any point leaves no file under the real name, only its partial", async () => {
  await using local = await tempDir();
  for (
    const cut of [0, 5, 10, 11, 65536, PAYLOAD_END - 1, PAYLOAD_END + 5, GET_STREAM.byteLength - 1]
  ) {
    await using server = serveGetBytes(GET_STREAM.subarray(0, cut));
    await using client = await connect({ port: server.port });
    await assertRejects(() => client.get("f", local.file("f")), TransferError, undefined);
    // A cut keeps its hidden partial file for the next get (PROTOCOL.md §19), nothing else.
    const names = await namesIn(local.path);
    assertEquals(names.filter((name) => !name.startsWith(".ferry-partial-")), [], `cut at ${cut}`);
    for (const name of names) await Deno.remove(local.file(name));
  }
});

Deno.test("a download whose trailer never comes is kept whole but marked not verified", async () => {
  await using local = await tempDir();
  await using server = serveGetBytes(GET_STREAM.subarray(0, PAYLOAD_END));
  await using client = await connect({ port: server.port });
  const result = await client.get("f", local.file("f"));
  assertEquals(result.verified, false);
  assertEquals(await sha256File(local.file("f")), sha256(FILE));
});

/** Runs `use` with a real 1 MiB tmpfs mounted in a temp folder, then unmounts it. */
async function withSmallDisk(use: (disk: string) => Promise<void>): Promise<void> {
  await using parent = await tempDir();
  const disk = parent.file("disk");
  await Deno.mkdir(disk);
  assertEquals(await mountSmallDisk(disk, "1m"), true);
  try {
    await use(disk);
  } finally {
    await unmount(disk);
  }
}

/** Mounts a real tmpfs of `size` at `path`; false where this machine does not allow it. */
async function mountSmallDisk(path: string, size: string): Promise<boolean> {
  const mount = new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", path],
    stdout: "null",
    stderr: "null",
  });
  return await mount.output().then((result) => result.success, () => false);
}

async function unmount(path: string): Promise<void> {
  await new Deno.Command("umount", { args: [path] }).output();
}

const probe = await tempDir();
const canMount = Deno.build.os === "linux" && await mountSmallDisk(probe.path, "64k");
if (canMount) await unmount(probe.path);
await probe[Symbol.asyncDispose]();

Deno.test({
  name: "an upload that fills a real 1 MiB disk mid-write fails with the reason, leaving nothing",
  ignore: !canMount,
  async fn() {
    await withSmallDisk(async (disk) => {
      await using server = await testServer({ root: disk });
      await using local = await tempDir();
      const [first, second] = [randomBytes(700_000), randomBytes(700_000)];
      await Deno.writeFile(local.file("first"), first);

      // The second upload announces its size while the disk still has room for it...
      using raw = await RawClient.connect(server.port);
      await raw.command("put second");
      const { port } = await raw.reply() as { port: number };
      using data = await RawClient.connect(port);
      await data.send(encodeField(second.byteLength));
      // ...then the first one fills the disk, and the second's bytes no longer fit.
      await using client = await connect({ port: server.port });
      await client.put(local.file("first"));
      await data.send(second);
      const status = new TextDecoder().decode((await data.reader.readFrame(4096))!);
      assertEquals(status, 'error Cannot store "second": No space left on device');
      data[Symbol.dispose]();
      await server.waitFor((e) => e.action === "put" && e.name === "second");
      assertEquals(await namesIn(disk), ["first"]);
      assertEquals(await sha256File(`${disk}/first`), sha256(first));
      await client.list();
    });
  },
});

Deno.test({
  name: "an upload larger than a real small disk is refused before any byte is written",
  ignore: !canMount,
  async fn() {
    await withSmallDisk(async (disk) => {
      await using server = await testServer({ root: disk });
      await using local = await tempDir();
      await Deno.writeFile(local.file("big"), randomBytes(2_000_000));
      await using client = await connect({ port: server.port });
      await assertRejects(
        () => client.put(local.file("big")),
        RemoteError,
        "Not enough disk space",
      );
      await server.waitFor((e) => e.action === "put");
      assertEquals(await namesIn(disk), []);
    });
  },
});

Deno.test("a server killed mid-upload loses nothing and clears the debris on restart", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(dir.file("kept.txt"), "complete before the crash");
  const first = await spawnServe(dir.path, ["--plain"]);
  using raw = await RawClient.connect(first.port);
  await raw.command("put doomed.bin");
  const { port } = await raw.reply() as { port: number };
  using data = await Deno.connect({ hostname: "127.0.0.1", port });
  await data.write(encodeField(10_000_000));
  await data.write(randomBytes(100_000));
  await first.stop("SIGKILL");
  const afterCrash = await namesIn(dir.path);
  assertEquals(afterCrash.length, 2, "the crash leaves the upload's temp file");
  assert(afterCrash.includes("kept.txt"), `${afterCrash}`);

  const second = await spawnServe(dir.path, ["--plain"]);
  const { log } = await second.stop();
  assertStringIncludes(log, "left by an upload a crash cut short");
  assertEquals(await namesIn(dir.path), ["kept.txt"]);
  assertEquals(await Deno.readTextFile(dir.file("kept.txt")), "complete before the crash");
});

const hasPrlimit = await new Deno.Command("prlimit", { args: ["--version"], stdout: "null" })
  .output().then((result) => result.success, () => false);

Deno.test({
  name: "a server out of file descriptors keeps running and serves again once some close",
  ignore: !hasPrlimit,
  async fn() {
    await using dir = await tempDir();
    const server = await spawnServe(dir.path, ["--plain", "--max-sessions-per-peer", "1000"], [
      "prlimit",
      "--nofile=64",
    ]);
    let log = "";
    const flood: Deno.TcpConn[] = [];
    for (let i = 0; i < 80 && !log.includes("accept-error"); i++) {
      flood.push(await Deno.connect({ hostname: "127.0.0.1", port: server.port }));
      if (i >= 40) log += await server.readLog(); // Past the limit: wait for the server to notice.
    }
    // A busy server logs behind the flood: read on until it notices, for 10 s at most
    // (stopping it ends the log, and so this loop).
    const giveUp = setTimeout(() => void server.stop(), 10_000);
    for (let piece = "-"; !log.includes("accept-error") && piece !== "";) {
      log += piece = await server.readLog();
    }
    clearTimeout(giveUp);
    assertStringIncludes(log, "accept-error failed - - - Too many open files", log);
    flood.forEach((conn) => conn.close());

    await using client = await connect({ port: server.port });
    assertEquals([...await client.list()], []);
    await client.quit();
    assertEquals((await server.stop()).code, 0);
  },
});

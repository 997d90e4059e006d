/**
 * Resumed transfers end to end (PROTOCOL.md §19), secure and plain (after `feat`): a
 * `get` or `put` cut at one of a bounded set of points and run again continues from
 * what was kept, and the result is always the source, byte for byte, verified against
 * the digest of the whole file. Bytes of another version (the source changed between
 * the cut and the resume, same size, even with its old modification time), a truncated
 * or corrupted partial file, another client, a server restart, an expired or evicted
 * kept upload: each ends in the right file, started over where it must be. Recursive
 * transfers resume file by file. The secure kind agrees ferry's default digest
 * (`xxh128`), the plain one `sha256` (PROTOCOL.md §17): a resume is in the session's.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "../support/assert.ts";
import { runBatch } from "../../src/client/batch.ts";
import { planTreeGet, planTreePut } from "../../src/client/batch_plans.ts";
import type { Client } from "../../src/client/client.ts";
import { connect } from "../../src/client/connect.ts";
import { newResumeSecret } from "../../src/client/resume_keys.ts";
import { CancelledError, RemoteError, TransferError } from "../../src/common/errors.ts";
import type { ServerOptions } from "../../src/server/server.ts";
import {
  digestHex,
  namesIn,
  randomBytes,
  sha256,
  sha256File,
  type TempDir,
  tempDir,
  type TestServer,
  testServer,
} from "../support/helpers.ts";
import { secureClient, secureServer } from "../support/secure.ts";

const SIZE = 8 * (1 << 20) + 12_345;
/**
 * Where transfers are cut: the first progress report, mid-chunk, half way, and late.
 * Not later: progress is reported as bytes are written, while the next MiB or two are
 * already read, so a cut at the last byte would race the end frame.
 */
const CUTS = [1, (1 << 20) + 7, SIZE / 2, SIZE * 0.75].map(Math.floor);

interface Kind {
  server: (options?: Partial<ServerOptions>) => Promise<TestServer>;
  /** A client; the same `secret` makes it the same client as far as `reput` goes. */
  client: (port: number, secret?: string) => Promise<Client>;
}

const KINDS: Record<string, Kind> = {
  secure: {
    server: (options) => secureServer(options),
    client: (port, secret) => secureClient(port, undefined, { resumeSecret: secret }),
  },
  plain: {
    server: (options) => testServer(options),
    client: async (port, secret) => {
      const client = await connect({ port, resumeSecret: secret, digest: "sha256" });
      await client.require("resume"); // What `reget` and `reput` do at the prompt.
      return client;
    },
  },
};

/**
 * Runs `move`, closing the client (a dropped connection) once `at` bytes have moved;
 * returns the error it failed with.
 */
async function cutAt(
  client: Client,
  at: number,
  move: (onProgress: (bytes: number) => void) => Promise<unknown>,
): Promise<TransferError> {
  return await assertRejects(
    () => move((bytes) => bytes >= at && client.close()),
    TransferError,
  );
}

/** A put of `path` (as `up.bin`) cut half way, once the server has kept what arrived. */
async function cutPut(server: TestServer, { client, path }: { client: Client; path: string }) {
  await cutAt(client, SIZE / 2, (onProgress) => client.put(path, "up.bin", { onProgress }));
  client.close();
  await server.waitFor((e) => e.action === "reput");
}

function isPartial(name: string): boolean {
  return name.startsWith(".ferry-partial-");
}

/** Changes `path` to `bytes` of the same size, keeping its modification time. */
async function rewriteKeepingTime(path: string, bytes: Uint8Array): Promise<void> {
  const { mtime, atime } = await Deno.stat(path);
  await Deno.writeFile(path, bytes);
  await Deno.utime(path, atime!, mtime!);
}

/** Names in the server's root other than `keep`: what kept uploads leave. */
async function debris(root: TempDir | string, keep: string[] = []): Promise<string[]> {
  const names = await namesIn(typeof root === "string" ? root : root.path);
  return names.filter((name) => !keep.includes(name));
}

for (const [kind, { server: serve, client: open }] of Object.entries(KINDS)) {
  Deno.test(`a cancelled get keeps what arrived, says so, and the next get continues (${kind})`, async () => {
    await using server = await serve();
    await using local = await tempDir();
    const data = randomBytes(SIZE);
    await Deno.writeFile(server.root.file("big.bin"), data);
    const client = await open(server.port);
    try {
      const controller = new AbortController();
      const error = await assertRejects(
        () =>
          client.get("big.bin", local.file("big.bin"), {
            signal: controller.signal,
            onProgress: (bytes) => bytes >= SIZE / 2 && controller.abort(),
          }),
        CancelledError,
      );
      assertEquals(error.kept, true);
      assertStringIncludes(error.message, "what arrived is kept, and get again continues from it");
      assertEquals((await namesIn(local.path)).filter(isPartial).length, 2);
      const result = await client.get("big.bin", local.file("big.bin"));
      assert((result.resumedFrom ?? 0) >= SIZE / 2, `resumed from ${result.resumedFrom}`);
      assertEquals(await Deno.readFile(local.file("big.bin")), data);
      assertEquals(await namesIn(local.path), ["big.bin"]);
    } finally {
      client.close();
    }
  });

  Deno.test(`a get cut at any of ${CUTS.length} points resumes to the very file (${kind})`, async () => {
    await using server = await serve();
    await using local = await tempDir();
    const data = randomBytes(SIZE);
    await Deno.writeFile(server.root.file("big.bin"), data);
    for (const cut of CUTS) {
      const destination = local.file(`copy-${cut}`);
      const first = await open(server.port);
      const error = await cutAt(
        first,
        cut,
        (onProgress) => first.get("big.bin", destination, { onProgress }),
      );
      first.close();
      assertStringIncludes(
        error.message,
        "; what arrived is kept, and get again continues from it",
      );
      const held = (await namesIn(local.path)).filter(isPartial);
      assertEquals(held.length, 2, `a partial and its description, cut at ${cut}`);
      await assertRejects(() => Deno.lstat(destination), Deno.errors.NotFound);

      await using second = await open(server.port);
      const notes: string[] = [];
      const got = await second.get("big.bin", destination, { onNote: (n) => notes.push(n) });
      assertEquals([got.bytes, got.hex, got.verified], [
        SIZE,
        await digestHex(got.digest, data),
        true,
      ]);
      assertEquals(got.digest, kind === "secure" ? "xxh128" : "sha256", "the session's digest");
      assert((got.resumedFrom ?? 0) > 0, `resumed, cut at ${cut}`);
      assertEquals(notes, []);
      assertEquals(await sha256File(destination), sha256(data));
      assertEquals((await namesIn(local.path)).filter(isPartial), []);
    }
    const resumed = server.events.filter((e) =>
      e.action === "reget" && /resumed at/.test(e.result)
    );
    assertEquals(resumed.length, CUTS.length);
  });

  Deno.test(`a get resumed after the file changed (same size, same time) starts over (${kind})`, async () => {
    await using server = await serve();
    await using local = await tempDir();
    const served = server.root.file("f.bin");
    await Deno.writeFile(served, randomBytes(SIZE));
    const first = await open(server.port);
    await cutAt(
      first,
      SIZE / 2,
      (onProgress) => first.get("f.bin", local.file("f"), { onProgress }),
    );
    first.close();
    const fresh = randomBytes(SIZE);
    await rewriteKeepingTime(served, fresh);

    await using second = await open(server.port);
    const notes: string[] = [];
    const got = await second.get("f.bin", local.file("f"), { onNote: (n) => notes.push(n) });
    assertEquals([got.resumedFrom, got.hex], [0, await digestHex(got.digest, fresh)]);
    assertEquals(notes, [
      `The partial download of "f.bin" is not of the server's file as it is now; downloading it from the start`,
    ]);
    assertEquals(await sha256File(local.file("f")), sha256(fresh));
  });

  Deno.test(`a get resumed from a truncated or corrupted partial ends in the right file (${kind})`, async () => {
    await using server = await serve();
    await using local = await tempDir();
    const data = randomBytes(SIZE);
    await Deno.writeFile(server.root.file("f.bin"), data);
    for (const damage of ["truncated", "corrupted"] as const) {
      const destination = local.file(damage);
      const first = await open(server.port);
      await cutAt(first, SIZE / 2, (onProgress) => first.get("f.bin", destination, { onProgress }));
      first.close();
      const partial = (await namesIn(local.path)).find((n) => isPartial(n) && n.endsWith(".part"))!;
      const { size } = await Deno.stat(local.file(partial));
      if (damage === "truncated") await Deno.truncate(local.file(partial), Math.floor(size / 3));
      else {
        using file = await Deno.open(local.file(partial), { read: true, write: true });
        await file.seek(100, Deno.SeekMode.Start);
        await file.write(new Uint8Array([data[100] ^ 0xff]));
      }
      await using second = await open(server.port);
      const notes: string[] = [];
      const got = await second.get("f.bin", destination, { onNote: (n) => notes.push(n) });
      assertEquals(await sha256File(destination), sha256(data));
      if (damage === "truncated") {
        assertEquals([got.resumedFrom, notes], [Math.floor(size / 3), []]);
      } else {
        assertEquals([got.resumedFrom, notes.length], [0, 1]);
      }
    }
  });

  Deno.test(`a put cut at any of ${CUTS.length} points resumes to the very file (${kind})`, async () => {
    await using server = await serve();
    await using local = await tempDir();
    const data = randomBytes(SIZE);
    await Deno.writeFile(local.file("up.bin"), data);
    const secret = newResumeSecret();
    for (const cut of CUTS) {
      const name = `up-${cut}.bin`;
      const first = await open(server.port, secret);
      await cutAt(
        first,
        cut,
        (onProgress) => first.put(local.file("up.bin"), name, { onProgress }),
      );
      first.close();
      await server.waitFor((e) => e.action === "reput" && e.name === name);
      assertEquals(server.server.resume.kept.size, 1, `kept, cut at ${cut}`);

      await using second = await open(server.port, secret);
      const put = await second.put(local.file("up.bin"), name);
      assertEquals([put.hex, put.verified], [await digestHex(put.digest, data), true]);
      assert((put.resumedFrom ?? 0) > 0, `resumed, cut at ${cut}`);
      assertEquals(await sha256File(server.root.file(name)), sha256(data));
      assertEquals(server.server.resume.kept.size, 0);
    }
    assertEquals(await debris(server.root), CUTS.map((cut) => `up-${cut}.bin`).sort());
    const resumed = server.events.filter((e) =>
      e.action === "reput" && /^ok: .* \(resumed at [1-9]\d*\)$/.test(e.result)
    );
    assertEquals(resumed.length, CUTS.length, "the log says where each resumed");
  });

  Deno.test(`another client never sees a cut upload, and starts its own (${kind})`, async () => {
    await using server = await serve();
    await using local = await tempDir();
    const data = randomBytes(SIZE);
    await Deno.writeFile(local.file("up.bin"), data);
    const mine = newResumeSecret();
    await cutPut(server, { client: await open(server.port, mine), path: local.file("up.bin") });

    await using other = await open(server.port, newResumeSecret());
    assertEquals([...await other.list()], []);
    const theirs = await other.put(local.file("up.bin"), "up.bin");
    assertEquals(theirs.resumedFrom, 0);
    // Mine is still kept, hidden; the name is taken now, so resuming it is refused.
    assertEquals(server.server.resume.kept.size, 1);
    await using again = await open(server.port, mine);
    await assertRejects(
      () => again.put(local.file("up.bin"), "up.bin"),
      RemoteError,
      '"up.bin" already exists on the server',
    );
  });

  Deno.test(`a put resumed after the local file changed (same size, same time) starts over (${kind})`, async () => {
    await using server = await serve();
    await using local = await tempDir();
    await Deno.writeFile(local.file("up.bin"), randomBytes(SIZE));
    const secret = newResumeSecret();
    await cutPut(server, { client: await open(server.port, secret), path: local.file("up.bin") });
    const fresh = randomBytes(SIZE);
    await rewriteKeepingTime(local.file("up.bin"), fresh);

    await using second = await open(server.port, secret);
    const notes: string[] = [];
    const put = await second.put(local.file("up.bin"), "up.bin", { onNote: (n) => notes.push(n) });
    assertEquals([put.resumedFrom, put.hex], [0, await digestHex(put.digest, fresh)]);
    assertEquals(notes, [
      `The server's partial upload of "up.bin" is not of this file as it is now; sending it from the start`,
    ]);
    assertEquals(await sha256File(server.root.file("up.bin")), sha256(fresh));
    assertEquals(await debris(server.root), ["up.bin"]);
  });

  Deno.test(`a get and a put resume across a server restart (${kind})`, async () => {
    await using shared = await tempDir();
    await using local = await tempDir();
    const data = randomBytes(SIZE);
    await Deno.writeFile(shared.file("down.bin"), data);
    await Deno.writeFile(local.file("up.bin"), data);
    const secret = newResumeSecret();
    {
      await using before = await serve({ root: shared.path });
      const getter = await open(before.port, secret);
      await cutAt(
        getter,
        SIZE / 2,
        (onProgress) => getter.get("down.bin", local.file("down.bin"), { onProgress }),
      );
      getter.close();
      const putter = await open(before.port, secret);
      await cutAt(
        putter,
        SIZE / 2,
        (onProgress) => putter.put(local.file("up.bin"), "up.bin", { onProgress }),
      );
      putter.close();
      await before.waitFor((e) => e.action === "reput");
    }
    await using after = await serve({ root: shared.path });
    assertEquals(after.server.resume.kept.size, 1, "found again at start-up");
    await using client = await open(after.port, secret);
    const got = await client.get("down.bin", local.file("down.bin"));
    const put = await client.put(local.file("up.bin"), "up.bin");
    assertEquals([got.resumedFrom! > 0, put.resumedFrom! > 0], [true, true], "both resumed");
    assertEquals(await sha256File(local.file("down.bin")), sha256(data));
    assertEquals(await sha256File(shared.file("up.bin")), sha256(data));
    assertEquals(await debris(shared.path), ["down.bin", "up.bin"]);
  });
}

Deno.test("a kept upload past --resume-ttl is removed, and the next put starts over", async () => {
  await using server = await testServer({ limits: { resumeTtl: 1 } });
  await using local = await tempDir();
  await Deno.writeFile(local.file("up.bin"), randomBytes(SIZE));
  const secret = newResumeSecret();
  await cutPut(server, {
    client: await KINDS.plain.client(server.port, secret),
    path: local.file("up.bin"),
  });
  const kept = await debris(server.root);
  assertEquals(kept.length, 2, "the temp file and its .resume file");
  // Expiry is checked when the kept set is next looked at: a millisecond has passed.
  await using second = await KINDS.plain.client(server.port, secret);
  const put = await second.put(local.file("up.bin"), "up.bin");
  assertEquals(put.resumedFrom, 0);
  assertEquals(await debris(server.root), ["up.bin"]);
});

Deno.test("a cut upload over --resume-space is not kept, and the oldest make way", async () => {
  await using server = await testServer({ limits: { resumeSpaceBytes: SIZE } });
  await using local = await tempDir();
  await Deno.writeFile(local.file("up.bin"), randomBytes(SIZE));
  const secret = newResumeSecret();
  for (const name of ["a.bin", "b.bin"]) {
    const client = await KINDS.plain.client(server.port, secret);
    await cutAt(
      client,
      SIZE * 0.75,
      (onProgress) => client.put(local.file("up.bin"), name, { onProgress }),
    );
    client.close();
    await server.waitFor((e) => e.action === "reput" && e.name === name);
  }
  // Each holds over half the room: the second pushed the first out.
  assertEquals(server.server.resume.kept.size, 1);
  await using client = await KINDS.plain.client(server.port, secret);
  assertEquals((await client.put(local.file("up.bin"), "a.bin")).resumedFrom, 0);
  assert(((await client.put(local.file("up.bin"), "b.bin")).resumedFrom ?? 0) > 0);
  assertStringIncludes((await debris(server.root)).join(" "), "a.bin b.bin");
  assertEquals(await debris(server.root), ["a.bin", "b.bin"]);
});

Deno.test("put -r and get -r resume file by file: a cut batch run again skips, resumes, sends", async () => {
  await using server = await secureServer();
  await using local = await tempDir();
  const files = ["a.bin", "b.bin", "c.bin"];
  await Deno.mkdir(local.file("tree"));
  await Deno.mkdir(local.file("back"));
  const data = new Map(files.map((name) => [name, randomBytes(SIZE)]));
  for (const [name, bytes] of data) await Deno.writeFile(local.file("tree", name), bytes);
  const secret = newResumeSecret();
  for (const direction of ["put", "get"] as const) {
    const plan = (client: Client) =>
      direction === "put"
        ? planTreePut(client, { dir: local.file("tree") })
        : planTreeGet(client, { dir: "tree", into: local.file("back") });
    // The first run is cut half way through its second file.
    const first = await secureClient(server.port, undefined, { resumeSecret: secret });
    let current = -1;
    const cut = await runBatch(first, await plan(first), {
      events: {
        onStart: (_, index) => current = index,
        onProgress: (bytes) => current === 1 && bytes >= SIZE / 2 && first.close(),
      },
    });
    first.close();
    assertEquals(cut.outcomes.map((o) => o.status), ["sent", "failed", "failed"]);
    await server.waitFor((e) =>
      e.action === (direction === "put" ? "reput" : "reget") && e.name?.endsWith("b.bin") === true
    );

    await using second = await secureClient(server.port, undefined, { resumeSecret: secret });
    const again = await runBatch(second, await plan(second));
    const sent = again.outcomes.map((o) =>
      o.status === "sent" ? (o.result.resumedFrom ?? 0) > 0 : o.status
    );
    assertEquals(sent, ["skipped", true, false], `${direction}: skipped, resumed, sent whole`);
    for (const [name, bytes] of data) {
      const copy = direction === "put"
        ? server.root.file("tree", name)
        : local.file("back", "tree", name);
      assertEquals(await sha256File(copy), sha256(bytes), `${direction} ${name}`);
    }
  }
  assertEquals((await namesIn(local.file("back", "tree"))).sort(), files);
  assertEquals((await namesIn(server.root.file("tree"))).sort(), files);
});

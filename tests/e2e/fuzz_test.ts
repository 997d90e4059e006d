/**
 * Fuzzing a live server: hostile peers throw random and mutated bytes at its control
 * and data ports while one well-behaved client moves files beside them and must never
 * fail. The run is seeded (FERRY_FUZZ_SEED=N replays one) and bounded by time and count.
 *
 * @module
 */

import { join } from "node:path";
import { assert, assertEquals } from "../support/assert.ts";
import { connect } from "../../src/client/connect.ts";
import { withDeadline } from "../../src/transport/deadline.ts";
import { ProtocolError, TransferError } from "../../src/common/errors.ts";
import { printable } from "../../src/common/text.ts";
import { encodeField, encodeFrame } from "../../src/protocol/field.ts";
import { Peer } from "../support/peer.ts";
import {
  concat,
  namesIn,
  randomBytes,
  RawClient,
  sha256,
  tempDir,
  testServer,
} from "../support/helpers.ts";
import {
  badField,
  fuzzSeed,
  hostileCommand,
  mulberry32,
  type Random,
} from "../support/fuzz_inputs.ts";

/** How long the hostile peers keep going, in ms. */
const FUZZ_MS = 2_200;
/** Hostile connections open at once. */
const HOSTILE_PEERS = 4;
/** Connections each hostile peer opens, at most. */
const MAX_CONNECTIONS = 2_000;
/** Commands and bursts sent on one hostile connection, at most. */
const MAX_STEPS = 8;
/** Operations of the well-behaved client, at most. */
const MAX_GOOD_OPS = 2_000;
/** How long the server may take to answer anything, in ms, before it counts as stuck. */
const ANSWER_MS = 4_000;
/**
 * Short limits, so that abandoned sessions end quickly. The accept deadline leaves room
 * for event-loop lag (server and clients share one thread): a client connecting after its
 * listener closed may reach a port the OS has handed to another session, or itself.
 */
const LIMITS = {
  dataAcceptTimeout: 1000,
  commandTimeout: 500,
  idleTimeout: 2000,
  stallTimeout: 1000,
  maxUploadBytes: 1 << 20,
};

const SEED = fuzzSeed();

/** A broken promise of the server's: reported with the seed, never swallowed. */
class FuzzFailure extends Error {}

/** What the hostile peers did, and what they caught the server doing. */
interface Tally {
  inputs: number;
  connections: number;
  failures: string[];
}

/** Runs `work`; if the server has not answered within {@linkcode ANSWER_MS}, it is stuck. */
async function inTime<T>(peer: Peer, what: string, work: () => Promise<T>): Promise<T> {
  const message = `The server did not ${what} within ${ANSWER_MS} ms`;
  return await withDeadline(ANSWER_MS, () => peer.close(), () => new FuzzFailure(message), work);
}

/** Waits until the server closes `raw` (a reset counts); anything it still sends is skipped. */
async function awaitClose(raw: RawClient, why: string): Promise<void> {
  await inTime(raw, `close the session after ${why}`, async () => {
    for (let i = 0; i < 1000; i++) if (await raw.reader.readChunk(65536) === null) return;
    throw new FuzzFailure(`The server kept sending after ${why}`);
  }).catch((error) => {
    if (error instanceof FuzzFailure) throw error;
  });
}

/** Expects the best-effort refusal of §7.1 for a protocol error, then the close. */
async function expectProtocolError(raw: RawClient, pattern: RegExp, why: string): Promise<void> {
  const reply = await inTime(raw, `refuse ${why}`, () => raw.reply());
  if (reply === null || !("refused" in reply) || !pattern.test(reply.refused)) {
    throw new FuzzFailure(
      `Expected a refusal matching ${pattern} for ${why}: ${JSON.stringify(reply)}`,
    );
  }
  await awaitClose(raw, why);
}

/** After a port reply: connect, send garbage or a frame, read or not, close anywhere. */
async function abuseDataPort(rng: Random, port: number, verb: string, tally: Tally): Promise<void> {
  const plan = 1 + rng.int(5);
  tally.inputs++;
  const conn = await Peer.connect(port);
  try {
    if (plan === 1) return; // Close at once.
    if (plan === 2) return void await conn.send(rng.bytes(1 + rng.int(5000)));
    if (verb === "put") {
      const payload = rng.bytes(rng.int(rng.next() < 0.9 ? 2048 : 65536));
      const huge = plan === 3 && rng.next() < 0.5 ? rng.pick([(1 << 20) + 1, 9_999_999_999]) : 0;
      const frame = huge
        ? concat(encodeField(huge), payload.subarray(0, 99))
        : encodeFrame(payload);
      if (plan === 3 && !huge) {
        return void await conn.send(frame.subarray(0, 1 + rng.int(frame.length)));
      }
      await conn.send(frame);
      if (plan === 4) return void await conn.send(rng.bytes(1 + rng.int(100))); // Garbage after it.
      await conn.channel.closeWrite(); // The file is complete (PROTOCOL.md §4.3).
      const status = await inTime(conn, "answer a put", () => conn.reader.readFrame(4096));
      const text = new TextDecoder().decode(status ?? undefined);
      const fine = huge // Over the upload cap: refused with a status, before any payload.
        ? text.startsWith(`error Upload of ${huge} bytes exceeds`)
        : text.startsWith("error ") || text === `ok sha256 ${sha256(payload)}`;
      if (!fine) {
        throw new FuzzFailure(
          `A put of ${huge || payload.length} bytes got ${JSON.stringify(text)}`,
        );
      }
      return;
    }
    const reader = conn.reader;
    if (plan < 5) {
      return void await inTime(conn, "send data", () => reader.readChunk(1 + rng.int(99)));
    }
    const payload = await inTime(conn, `send the ${verb}`, () => reader.readFrame(64 << 20));
    const trailer = verb === "get" &&
      await inTime(conn, "send a trailer", () => reader.readFrame(4096));
    const text = new TextDecoder().decode(payload ?? new Uint8Array());
    const listable = (line: string) =>
      !line.startsWith(".ferry-upload-") && !line.endsWith("/") && printable(line) === line;
    const bad = payload === null ||
      (verb === "get" &&
        new TextDecoder().decode(trailer || undefined) !== `sha256 ${sha256(payload)}`) ||
      (verb === "ls" && !text.split("\n").every(listable));
    if (bad) throw new FuzzFailure(`A ${verb} sent ${JSON.stringify(text.slice(0, 300))}`);
  } finally {
    conn.close();
  }
}

/** One hostile control connection: up to {@linkcode MAX_STEPS} commands, then a parting shot. */
async function hostileConnection(rng: Random, port: number, tally: Tally): Promise<void> {
  using raw = await RawClient.connect(port);
  tally.connections++;
  for (let step = 0; step < MAX_STEPS; step++) {
    const kind = rng.int(13);
    tally.inputs++;
    if (kind < 7) {
      const payload = hostileCommand(rng);
      const verb = new TextDecoder().decode(payload).split(" ")[0].toLowerCase();
      await raw.send(encodeFrame(payload));
      const reply = await inTime(raw, "answer a command", () => raw.reply());
      if (reply === null) return; // quit, which needs no reply.
      if ("refused" in reply && printable(reply.refused) !== reply.refused) {
        throw new FuzzFailure(
          `A refusal holds a control character: ${JSON.stringify(reply.refused)}`,
        );
      }
      if ("refused" in reply) continue;
      if (!["ls", "get", "put"].includes(verb)) throw new FuzzFailure(`"${verb}" got a data port`);
      if (rng.next() < 0.06) { // Never connect: wait for the server to give up, or just leave.
        if (rng.next() < 0.5) return;
        continue;
      }
      await abuseDataPort(rng, reply.port, verb, tally);
      continue;
    }
    if (kind === 7) {
      await raw.send(badField(rng));
      return await expectProtocolError(raw, /expected 10 ASCII digits$/, "a malformed field");
    }
    if (kind === 8) {
      const length = rng.pick([4097, 9_999_999_999, 4097 + rng.int(9_999_995_903)]);
      await raw.send(encodeField(length), rng.bytes(length === 4097 ? 4097 : rng.int(3) * 1000));
      return await awaitClose(raw, `a ${length}-byte frame`);
    }
    if (kind === 9) { // A frame or a header cut short; then leave, or wait for the command timeout.
      const frame = encodeFrame(rng.bytes(1 + rng.int(4096)));
      await raw.send(frame.subarray(0, 1 + rng.int(frame.length - 1)));
      if (rng.next() < 0.95) return;
      return await expectProtocolError(raw, /^Command not received within 0.5 s$/, "a cut frame");
    }
    if (kind === 10) return await raw.send(rng.bytes(1 + rng.int(3000)));
    if (kind === 11 && rng.next() < 0.3) {
      // Commands sent at once, against the rules: the replies must keep their order.
      const names = Array.from({ length: 2 + rng.int(2) }, () => `pipe-${rng.int(1e9)}`);
      await raw.send(...names.map((name) => encodeFrame(`get ${name}`)));
      for (const name of names) {
        const reply = await inTime(raw, "answer pipelined commands", () => raw.reply());
        if (JSON.stringify(reply) !== JSON.stringify({ refused: `No such file "${name}"` })) {
          throw new FuzzFailure(`get ${name} was answered ${JSON.stringify(reply)}`);
        }
      }
      continue;
    }
    return; // An abrupt close between commands.
  }
}

/** Whether a hostile peer's error is only the server hanging up on it: a reset, a closed pipe. */
function isFairGame(error: unknown): boolean {
  if (error instanceof FuzzFailure || error instanceof ProtocolError) return false;
  return error instanceof TransferError ||
    Object.values(Deno.errors).some((E) => error instanceof E);
}

/** A hostile peer, with its own PRNG stream: one connection after another until the deadline. */
async function hostilePeer(
  peer: number,
  port: number,
  deadline: number,
  tally: Tally,
): Promise<void> {
  const rng = mulberry32(SEED ^ Math.imul(peer + 1, 0x9e3779b9));
  for (let i = 0; i < MAX_CONNECTIONS && performance.now() < deadline; i++) {
    try {
      await hostileConnection(rng, port, tally);
    } catch (error) {
      if (isFairGame(error)) continue;
      const message = error instanceof FuzzFailure ? error.message : String(error);
      tally.failures.push(`seed ${SEED}, peer ${peer}, connection ${i}: ${message}`);
    }
  }
}

/** The well-behaved client: put, get and ls of random data, each checked by SHA-256. */
async function behave(port: number, deadline: number, local: string): Promise<Map<string, string>> {
  const rng = mulberry32(SEED ^ 0x600d);
  const known = new Map<string, string>();
  await using client = await connect({ port, timeout: 10_000 });
  for (let op = 0; op < MAX_GOOD_OPS && performance.now() < deadline; op++) {
    const choice = known.size === 0 ? 0 : rng.int(3);
    if (choice === 0) {
      const bytes = randomBytes(Math.floor(rng.next() ** 3 * 256 * 1024));
      const name = `good-${op}.bin`;
      await Deno.writeFile(join(local, name), bytes);
      const result = await client.put(join(local, name), name);
      assertEquals([result.hex, result.verified], [sha256(bytes), true], `put ${name}`);
      known.set(name, result.hex);
    } else if (choice === 1) {
      const [name, expected] = rng.pick([...known]);
      const result = await client.get(name, join(local, `got-${op}`));
      assertEquals(result.verified, true, `get ${name}`);
      assertEquals(sha256(await Deno.readFile(result.path)), expected, `get ${name}`);
    } else {
      const listed = new Set(Array.from(await client.list(), (entry) => entry.name));
      assertEquals([...known.keys()].filter((name) => !listed.has(name)), [], "ls");
    }
  }
  return known;
}

Deno.test(`the server withstands hostile peers while a client works beside them (seed ${SEED})`, async () => {
  await using parent = await tempDir();
  const root = parent.file("shared");
  await Deno.mkdir(root);
  await using local = await tempDir();
  await using server = await testServer({ root, limits: LIMITS });
  const before = await namesIn(parent.path);
  const started = performance.now();
  const deadline = started + FUZZ_MS;
  const tally: Tally = { inputs: 0, connections: 0, failures: [] };
  const [good, ...peers] = await Promise.allSettled([
    behave(server.port, deadline, local.path),
    ...Array.from(
      { length: HOSTILE_PEERS },
      (_, i) => hostilePeer(i, server.port, deadline, tally),
    ),
  ]);
  const ms = Math.round(performance.now() - started);
  console.log(
    `fuzz: ${tally.inputs} inputs on ${tally.connections} connections in ${ms} ms, seed ${SEED}`,
  );
  for (const peer of peers) if (peer.status === "rejected") throw peer.reason;
  if (good.status === "rejected") throw good.reason;
  assertEquals(tally.failures, [], `seed ${SEED}`);

  await using client = await connect({ port: server.port });
  await Deno.writeTextFile(local.file("fresh"), "still here");
  assertEquals((await client.put(local.file("fresh"), "good-fresh")).verified, true);
  assert.ok([...await client.list()].some((entry) => entry.name === "good-fresh"), "fresh ls");
  await client.quit();
  await server.server.shutdown();

  const internal = server.events.filter((event) => event.action === "internal-error");
  assertEquals(internal.map((event) => event.result), [], `seed ${SEED}`);
  assertEquals(await namesIn(parent.path), before, "nothing appears beside the shared folder");
  const debris = (await namesIn(root)).filter((name) => name.startsWith(".ferry-upload-"));
  assertEquals(debris, [], "no temp file is left once the sessions ended");
  for (const [name, expected] of good.value) {
    assertEquals(sha256(await Deno.readFile(join(root, name))), expected, `${name} on disk`);
  }
  for await (const entry of Deno.readDir(root)) assert.ok(entry.isFile, `${entry.name} is a file`);
});

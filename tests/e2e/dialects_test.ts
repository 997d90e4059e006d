/**
 * Every dialect of PROTOCOL.md §15 end to end, ferry client against ferry server:
 * listings, gets and puts in both directions, refusals, and the exact bytes each
 * puts on the wire (recorded at the client's transport, data connections included).
 */
import { connect } from "../../src/client/connect.ts";
import { RemoteError } from "../../src/common/errors.ts";
import { type Dialect, DIALECTS } from "../../src/protocol/dialects.ts";
import { assertEquals, assertRejects } from "../support/assert.ts";
import { randomBytes, sha256, sha256File, tempDir, testServer } from "../support/helpers.ts";
import { recordingTransport } from "../support/recording_transport.ts";

const BIG = randomBytes(328_914);

for (const dialect of Object.values(DIALECTS)) {
  Deno.test(`ferry client and server in the ${dialect.name} dialect list, get, put and refuse`, async () => {
    await using local = await tempDir();
    await using server = await testServer({ dialect });
    await Deno.writeFile(server.root.file("big.bin"), BIG);
    await Deno.mkdir(server.root.file("photos"));
    await Deno.writeFile(local.file("up.bin"), BIG);
    await using client = await connect({ port: server.port, dialect });

    assertEquals([...await client.list()], [
      { name: "big.bin", isDirectory: false },
      { name: "photos", isDirectory: true },
    ]);
    const got = await client.get("big.bin", local.file("big.bin"));
    assertEquals([got.bytes, got.verified], [BIG.byteLength, dialect.vouches]);
    assertEquals(await sha256File(local.file("big.bin")), sha256(BIG));
    const put = await client.put(local.file("up.bin"), "up.bin");
    assertEquals([put.bytes, put.verified], [BIG.byteLength, dialect.vouches]);
    assertEquals(await sha256File(server.root.file("up.bin")), sha256(BIG));

    const reason = dialect.refusal === "message" ? 'No such file "nope"' : "without saying why";
    await assertRejects(() => client.get("nope", local.file("nope")), RemoteError, reason);
    await assertRejects(() => client.put(local.file("up.bin"), "big.bin"), RemoteError);
    assertEquals((await client.list()).size, 3, "the session goes on after refusals");
    await client.quit();
    const results = server.events.filter((e) => e.action !== "connect").map((e) => e.result);
    assertEquals(results.slice(0, 6), [
      "ok: 2 entries",
      `ok: sha256 ${sha256(BIG)}`,
      `ok: sha256 ${sha256(BIG)}`,
      'refused: No such file "nope"',
      'refused: "big.bin" already exists on the server',
      "ok: 3 entries",
    ]);
  });
}

/** Runs ls, get, put and a refused get through `dialect`; returns the client's transcript. */
async function transcriptOf(dialect: Dialect): Promise<{ lines: string[]; ports: string[] }> {
  await using local = await tempDir();
  await using server = await testServer({ dialect });
  await Deno.writeTextFile(server.root.file("hello.txt"), "Hello, world!\n");
  await Deno.writeTextFile(local.file("hi.txt"), "hi\n");
  const recording = recordingTransport();
  await using client = await connect({
    port: server.port,
    dialect,
    transport: recording.transport,
  });
  await client.list();
  await client.get("hello.txt", local.file("hello.txt"));
  await client.put(local.file("hi.txt"));
  await client.get("nope.txt", local.file("nope.txt")).catch(() => {});
  await client.quit();
  // The data ports, in order: the lines that name them are checked against these.
  const data = recording.log.filter((piece) => piece.connection > 0);
  const ports: string[] = [];
  for (const { connection } of data) {
    const port = String(recording.ports[connection]);
    if (!ports.includes(port)) ports.push(port);
  }
  return { lines: recording.transcript(), ports };
}

const TRAILER = "0000000071sha256 d9014c4624844aa5bac314773d6b689ad467fa4e1d1a50a1b8a99d5a95f72ff5";
const STATUS =
  "0000000074ok sha256 98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4";
const NOPE = '00000000000000000023No such file "nope.txt"';

/** A bare field, and a frame of ASCII text. */
const field = (digits: string) => digits.padStart(10, "0");
const frame = (ascii: string) => field(String(ascii.length)) + ascii;

/** What each dialect sends, given the data ports it used, in order. */
const EXPECTED: Record<string, (p: string[]) => string[]> = {
  ferry: (p) => [
    "C→S  0000000002ls",
    `S→C  ${field(p[0])}`,
    "s→c  0000000010hello.txt\\n",
    "C→S  0000000013get hello.txt",
    `S→C  ${field(p[1])}`,
    `s→c  0000000014Hello, world!\\n${TRAILER}`,
    "C→S  0000000010put hi.txt",
    `S→C  ${field(p[2])}`,
    "c→s  0000000003hi\\n",
    "c→s  <end of stream>",
    `s→c  ${STATUS}`,
    "C→S  0000000012get nope.txt",
    `S→C  ${NOPE}`,
    "C→S  0000000004quit",
    "C→S  <end of stream>",
  ],
  framed: (p) => [
    "C→S  0000000002ls",
    "S→C  0000000010hello.txt\\n",
    "C→S  0000000013get hello.txt",
    `S→C  ${frame(p[0])}`,
    "s→c  0000000014Hello, world!\\n",
    "s→c  <end of stream>",
    "C→S  0000000010put hi.txt",
    `S→C  ${frame(p[1])}`,
    "c→s  0000000003hi\\n",
    "c→s  <end of stream>",
    "s→c  <end of stream>",
    "C→S  0000000012get nope.txt",
    "S→C  0000000002-1",
    "C→S  0000000004quit",
    "C→S  <end of stream>",
  ],
  active: (p) => [
    `C→S  0000000002ls${frame(p[0])}`,
    "s→c  0000000010hello.txt\\n",
    `C→S  0000000013get hello.txt${frame(p[1])}`,
    "s→c  0000000014Hello, world!\\n",
    "s→c  <end of stream>",
    `C→S  0000000010put hi.txt${frame(p[2])}`,
    "c→s  0000000003hi\\n",
    "c→s  <end of stream>",
    "s→c  <end of stream>",
    // The refused get's port was never connected to, so it is not among the data ports.
    /^C→S {2}0000000012get nope\.txt\d{10}\d{1,5}$/.source,
    `S→C  ${NOPE}`,
    "C→S  0000000004quit",
    "C→S  <end of stream>",
  ],
  "active-inline": (p) => [
    `C→S  ${frame(`ls ${p[0]}`)}`,
    "s→c  0000000010hello.txt\\n",
    `C→S  ${frame(`get hello.txt ${p[1]}`)}`,
    "s→c  0000000014Hello, world!\\n",
    "s→c  <end of stream>",
    `C→S  ${frame(`put hi.txt ${p[2]}`)}`,
    "c→s  0000000003hi\\n",
    "c→s  <end of stream>",
    "s→c  <end of stream>",
    /^C→S {2}00000000\d\dget nope\.txt \d{1,5}$/.source,
    `S→C  ${NOPE}`,
    "C→S  0000000004quit",
    "C→S  <end of stream>",
  ],
};

for (const dialect of Object.values(DIALECTS)) {
  Deno.test(`the ${dialect.name} dialect puts exactly the bytes of PROTOCOL.md on the wire`, async () => {
    const { lines, ports } = await transcriptOf(dialect);
    const expected = EXPECTED[dialect.name](ports);
    assertEquals(ports.length, dialect.listing === "control" ? 2 : 3, `data ports ${ports}`);
    // A line given as a pattern stands for one whose port the test cannot know.
    const matched = lines.map((line, i) =>
      expected[i]?.startsWith("^") && new RegExp(expected[i]).test(line) ? expected[i] : line
    );
    assertEquals(matched, expected);
  });
}

Deno.test("a dialect other than ferry is refused in secure mode, before any connection", async () => {
  const secure = { checkIdentity: () => Promise.resolve(), token: "unused" };
  await assertRejects(
    () => connect({ port: 1, secure, dialect: DIALECTS.framed }),
    TypeError,
    "Cannot speak the framed dialect securely: dialects are the classic protocol",
  );
});

/**
 * The server's log: one line shape for every event, in text that `awk` splits into
 * fixed fields, and in JSON; checked on events of every kind, and on a real server.
 */
import { assertEquals, assertStringIncludes } from "../support/assert.ts";
import { formatEvent, splitResult } from "../../src/cli/log_format.ts";
import type { SessionEvent } from "../../src/server/log.ts";
import { spawnServe } from "../support/ferry_process.ts";
import { RawClient, tempDir } from "../support/helpers.ts";
import { connect } from "../../src/client/connect.ts";

const AT = new Date("2026-12-01T12:00:00.000Z");

/** One event of each kind the server logs. */
const EVENTS: SessionEvent[] = [
  { peer: "127.0.0.1:5000", action: "connect", result: "ok" },
  {
    peer: "127.0.0.1:5000",
    action: "get",
    name: "photo one.jpg",
    bytes: 300,
    ms: 4,
    result: "ok: sha256 ab",
  },
  {
    peer: "127.0.0.1:5000",
    action: "get",
    name: "nope",
    bytes: 0,
    ms: 1,
    result: 'refused: No such file "nope"',
  },
  {
    peer: "127.0.0.1:5000",
    action: "get",
    name: "big",
    bytes: 1048576,
    ms: 9,
    result: "failed: Connection closed after 1048576 of 9000000 bytes",
  },
  { peer: "127.0.0.1:5000", action: "ls", bytes: 0, ms: 0, result: "ok: 0 entries" },
  {
    peer: "127.0.0.1:5000",
    action: "intruder",
    result: "refused: data connection from 127.0.0.2:6000",
  },
  {
    peer: "127.0.0.1:5000",
    action: "disconnect",
    result: "closed: Closed after 300 s without a command",
  },
  {
    peer: "[::1]:5000",
    action: "put",
    name: 'a\tb \u200b"c"',
    bytes: 1,
    ms: 2,
    result: "ok: sha256 cd",
  },
  {
    peer: "127.0.0.1:5000",
    action: "internal-error",
    result: "failed: boom",
    error: new Error("boom"),
  },
  { peer: "-", action: "stop", result: "ok: stopped" },
];

Deno.test("`formatEvent()` writes every event as seven fields and a detail", () => {
  assertEquals(
    EVENTS.slice(0, 4).map((event) => formatEvent(event, AT)),
    [
      "2026-12-01T12:00:00.000Z 127.0.0.1:5000 connect ok - - - -",
      '2026-12-01T12:00:00.000Z 127.0.0.1:5000 get ok "photo\\u0020one.jpg" 300 4 sha256 ab',
      '2026-12-01T12:00:00.000Z 127.0.0.1:5000 get refused "nope" 0 1 No such file "nope"',
      '2026-12-01T12:00:00.000Z 127.0.0.1:5000 get failed "big" 1048576 9 Connection closed after 1048576 of 9000000 bytes',
    ],
  );
  for (const event of EVENTS) {
    const line = formatEvent(event, AT);
    assertEquals(line.includes("\n"), false, line);
    const fields = line.split(" ");
    assertEquals([fields[2], fields[3]], [event.action, splitResult(event.result).status], line);
    assertEquals(/^(\d+|-)$/.test(fields[5]) && /^(\d+|-)$/.test(fields[6]), true, line);
  }
});

Deno.test("`formatEvent()` log lines split into the same fields with awk", async () => {
  const text = EVENTS.map((event) => formatEvent(event, AT) + "\n").join("");
  const awk = new Deno.Command("awk", {
    args: ["{ print (NF >= 8), $3, $4, $6 }"],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const writer = awk.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const rows = new TextDecoder().decode((await awk.output()).stdout).trim().split("\n");
  assertEquals(
    rows,
    EVENTS.map((event) =>
      `1 ${event.action} ${splitResult(event.result).status} ${event.bytes ?? "-"}`
    ),
  );
});

Deno.test("`formatEvent()` in JSON has the same fields, one object per line", () => {
  const lines = EVENTS.map((event) => formatEvent(event, AT, "json"));
  const parsed = lines.map((line) => JSON.parse(line));
  assertEquals(parsed[1], {
    time: "2026-12-01T12:00:00.000Z",
    peer: "127.0.0.1:5000",
    action: "get",
    status: "ok",
    name: "photo one.jpg",
    bytes: 300,
    ms: 4,
    detail: "sha256 ab",
  });
  assertEquals(parsed[0].name, null);
  assertStringIncludes(parsed[8].stack, "Error: boom");
});

Deno.test("`ferry serve --log-format json` logs every line as JSON, a cancelled get with its bytes", async () => {
  await using dir = await tempDir();
  await Deno.writeFile(dir.file("big"), new Uint8Array(32 << 20));
  const server = await spawnServe(dir.path, ["--plain", "--log-format", "json"]);
  using raw = await RawClient.connect(server.port);
  await raw.command("get big");
  const { port } = await raw.reply() as { port: number };
  const data = await RawClient.connect(port);
  await data.reader.readExact(1 << 20); // Then the client gives up.
  data.close();
  await using client = await connect({ port: server.port });
  await client.get("nope", dir.file("unused")).catch(() => {});
  const { code, log } = await server.stop("SIGINT");
  assertEquals(code, 0);
  const events = log.trim().split("\n").map((line) => JSON.parse(line));
  const get = events.find((event) => event.action === "get" && event.name === "big");
  assertEquals([get.status, get.bytes >= 1 << 20], ["failed", true]);
  const refused = events.find((event) => event.action === "get" && event.name === "nope");
  assertEquals([refused.status, refused.bytes], ["refused", 0]);
  assertEquals(events.at(-1).action, "stop");
});

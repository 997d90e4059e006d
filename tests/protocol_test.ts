import { assertEquals, assertThrows } from "./assert.ts";
import { ProtocolError } from "../src/errors.ts";
import {
  formatCommand,
  formatListing,
  formatStatus,
  formatTrailer,
  interpretReplyField,
  nameProblem,
  parseCommand,
  parseFramedPort,
  parseListing,
  parseStatus,
  parseTrailer,
} from "../src/protocol.ts";

const HEX = "ab".repeat(32);

Deno.test("parseCommand() reads the four commands", () => {
  assertEquals(parseCommand("ls"), { kind: "ls" });
  assertEquals(parseCommand("quit"), { kind: "quit" });
  assertEquals(parseCommand("get a.txt"), { kind: "get", name: "a.txt" });
  assertEquals(parseCommand("put a.txt"), { kind: "put", name: "a.txt" });
});

Deno.test("parseCommand() takes the name literally after the first space", () => {
  assertEquals(parseCommand("get my file.txt"), { kind: "get", name: "my file.txt" });
  assertEquals(parseCommand("put  leading"), { kind: "put", name: " leading" });
  assertEquals(parseCommand("get naïve 名前.txt"), { kind: "get", name: "naïve 名前.txt" });
});

Deno.test("parseCommand() accepts verbs in any case", () => {
  assertEquals(parseCommand("LS"), { kind: "ls" });
  assertEquals(parseCommand("Get x"), { kind: "get", name: "x" });
});

Deno.test("parseCommand() refuses unknown verbs, missing names and stray arguments", () => {
  assertEquals(parseCommand("delete x").kind, "invalid");
  assertEquals(parseCommand("").kind, "invalid");
  assertEquals(parseCommand("get"), { kind: "invalid", reason: "Command get needs a file name" });
  assertEquals(parseCommand("put "), { kind: "invalid", reason: "Command put needs a file name" });
  assertEquals(parseCommand("ls now"), { kind: "invalid", reason: "Command ls takes no argument" });
});

Deno.test("parseCommand() refuses hostile names", () => {
  for (
    const name of ["..", ".", "../etc/passwd", "/etc/passwd", "a/b", "a\\b", "x\0y", "\x1b[2J"]
  ) {
    const parsed = parseCommand(`get ${name}`);
    assertEquals(parsed.kind, "invalid", name);
  }
});

Deno.test("formatCommand() round-trips through parseCommand()", () => {
  for (const command of [{ kind: "ls" }, { kind: "get", name: "a b" }, { kind: "quit" }] as const) {
    assertEquals(parseCommand(formatCommand(command)), command);
  }
});

Deno.test("nameProblem() explains each refusal", () => {
  assertEquals(nameProblem("ok.txt"), undefined);
  assertEquals(nameProblem(".hidden"), undefined);
  assertEquals(nameProblem(""), "File name is empty");
  assertEquals(nameProblem("..")?.includes("names a folder"), true);
  assertEquals(nameProblem("a/b")?.includes("must not contain / or \\"), true);
  assertEquals(nameProblem("a\u0085b")?.includes("control character"), true);
  assertEquals(nameProblem("x".repeat(256))?.includes("longer than 255 bytes"), true);
  assertEquals(nameProblem("é".repeat(128))?.includes("longer than 255 bytes"), true);
});

Deno.test("interpretReplyField() tells ports, framed ports and refusals apart", () => {
  assertEquals(interpretReplyField(41234), { kind: "port", port: 41234 });
  assertEquals(interpretReplyField(6), { kind: "port", port: 6 });
  assertEquals(interpretReplyField(5), { kind: "framed-port", length: 5 });
  assertEquals(interpretReplyField(1), { kind: "framed-port", length: 1 });
  assertEquals(interpretReplyField(0), { kind: "refused" });
  assertEquals(interpretReplyField(-1), { kind: "refused-silently" });
  assertThrows(() => interpretReplyField(65536), ProtocolError, "at most 65535");
});

Deno.test("parseFramedPort() accepts 1 to 65535 only", () => {
  assertEquals(parseFramedPort("41234"), 41234);
  for (const bad of ["0", "65536", "", "12a", " 123"]) {
    assertThrows(() => parseFramedPort(bad), ProtocolError);
  }
});

Deno.test("formatListing() sorts names and marks folders", () => {
  const listing = formatListing([
    { name: "b.txt", isDirectory: false },
    { name: "a dir", isDirectory: true },
    { name: "B", isDirectory: false },
  ]);
  assertEquals(listing, "B\na dir/\nb.txt\n");
  assertEquals(formatListing([]), "");
});

Deno.test("parseListing() reads folders, CRLF and a missing final newline", () => {
  assertEquals(parseListing("a/\r\nb c\nd"), [
    { name: "a", isDirectory: true },
    { name: "b c", isDirectory: false },
    { name: "d", isDirectory: false },
  ]);
  assertEquals(parseListing(""), []);
});

Deno.test("parseTrailer() reads sha256 trailers and rejects anything else", () => {
  assertEquals(parseTrailer(formatTrailer(HEX)), HEX);
  assertEquals(parseTrailer(`sha256 ${HEX.toUpperCase()}`), HEX);
  for (const bad of ["sha256 abc", `md5 ${HEX}`, `sha256  ${HEX}`, ""]) {
    assertThrows(() => parseTrailer(bad), ProtocolError);
  }
});

Deno.test("parseStatus() reads ok and error statuses", () => {
  assertEquals(parseStatus(formatStatus({ ok: true, sha256: HEX })), { ok: true, sha256: HEX });
  assertEquals(parseStatus("error disk full"), { ok: false, message: "disk full" });
  assertEquals(parseStatus("error"), { ok: false, message: "The server reported an error" });
  assertThrows(() => parseStatus("fine"), ProtocolError);
});

import { assertEquals, assertThrows } from "../support/assert.ts";
import { ProtocolError } from "../../src/common/errors.ts";
import {
  formatEnd,
  formatStatus,
  formatTrailer,
  isTrailer,
  parseEnd,
  parseStatus,
  parseTrailer,
  sessionDigest,
  trailerLength,
} from "../../src/protocol/trailers.ts";
import { FeatureSet } from "../../src/protocol/features.ts";

const HEX = "ab".repeat(32);
// SHA-256 of "Hello, world!\n", from §4.2.
const HELLO = "d9014c4624844aa5bac314773d6b689ad467fa4e1d1a50a1b8a99d5a95f72ff5";

Deno.test("`formatTrailer()` writes `sha256 <hex>`", () => {
  assertEquals(formatTrailer(HELLO), `sha256 ${HELLO}`);
  assertEquals(formatTrailer(HELLO).length, 71);
});

Deno.test("`parseTrailer()` reads a sha256 trailer, lowercased", () => {
  assertEquals(parseTrailer(formatTrailer(HEX)), HEX);
  assertEquals(parseTrailer(`sha256 ${HELLO}`), HELLO);
  assertEquals(parseTrailer(`sha256 ${HEX.toUpperCase()}`), HEX);
});

Deno.test("`parseTrailer()` rejects anything else, quoting it", () => {
  for (
    const bad of [
      "sha256 abc",
      `md5 ${HEX}`,
      `sha256  ${HEX}`,
      `sha256 ${HEX} `,
      `SHA256 ${HEX}`,
      `sha256 ${HEX}ab`,
      `sha256 ${"g".repeat(64)}`,
      `sha256:${HEX}`,
      "",
    ]
  ) {
    const error = assertThrows(() => parseTrailer(bad), ProtocolError);
    assertEquals(error.message, `Cannot read trailer "${bad}": expected "sha256 <64 hex digits>"`);
  }
});

Deno.test("`parseTrailer()` escapes control characters in its message", () => {
  const error = assertThrows(() => parseTrailer("\x1b[2J"), ProtocolError);
  assertEquals(
    error.message,
    'Cannot read trailer "\\u001b[2J": expected "sha256 <64 hex digits>"',
  );
});

Deno.test("`formatStatus()` writes `ok sha256 <hex>` and `error <message>`", () => {
  assertEquals(formatStatus({ ok: true, hex: HEX }), `ok sha256 ${HEX}`);
  assertEquals(
    formatStatus({ ok: false, message: '"report.pdf" already exists on the server' }),
    'error "report.pdf" already exists on the server',
  );
});

Deno.test("`parseStatus()` reads ok and error statuses", () => {
  assertEquals(parseStatus(formatStatus({ ok: true, hex: HEX })), { ok: true, hex: HEX });
  assertEquals(parseStatus(`ok sha256 ${HEX.toUpperCase()}`), { ok: true, hex: HEX });
  assertEquals(parseStatus("error disk full"), { ok: false, message: "disk full" });
  assertEquals(parseStatus("error   disk full  "), { ok: false, message: "disk full" });
  assertEquals(parseStatus("error"), { ok: false, message: "The server reported an error" });
  assertEquals(parseStatus("error "), { ok: false, message: "The server reported an error" });
});

Deno.test("`parseStatus()` reads what `formatStatus()` writes", () => {
  for (
    const status of [
      { ok: true, hex: HELLO },
      { ok: false, message: 'Cannot store "report.pdf": No space left on device' },
    ] as const
  ) {
    assertEquals(parseStatus(formatStatus(status)), status);
  }
});

Deno.test("`parseStatus()` rejects a status of neither form", () => {
  for (const bad of ["fine", "ok", "OK sha256 x", ""]) {
    const error = assertThrows(() => parseStatus(bad), ProtocolError);
    assertEquals(
      error.message,
      `Cannot read upload status "${bad}": expected "ok sha256 <hex>" or "error <message>"`,
    );
  }
});

Deno.test("`parseStatus()` rejects an `ok` with a bad digest as a bad trailer", () => {
  assertThrows(
    () => parseStatus("ok sha256 abc"),
    ProtocolError,
    'Cannot read trailer "sha256 abc"',
  );
  assertThrows(() => parseStatus(`ok md5 ${HEX}`), ProtocolError, "Cannot read trailer");
});

Deno.test("`formatEnd()` and `parseEnd()` round-trip a framed payload's two endings", () => {
  const sha256 = "98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4";
  assertEquals(formatEnd({ ok: true, hex: sha256 }), `sha256 ${sha256}`);
  assertEquals(parseEnd(`sha256 ${sha256}`), { ok: true, hex: sha256 });
  const message = '"a.bin" changed while it was being sent; try again';
  assertEquals(formatEnd({ ok: false, message }), `error ${message}`);
  assertEquals(parseEnd(`error ${message}`), { ok: false, message });
  assertEquals(parseEnd("error"), { ok: false, message: "The sender stopped without saying why" });
  assertThrows(() => parseEnd("ok sha256 " + sha256), ProtocolError, "Cannot read trailer");
});

// XXH3-128 of "Hello, world!\n" (PROTOCOL.md §17).
const HELLO_XXH128 = "c3082335d9e644a032c1b16a5ed98ffb";

Deno.test("trailers, statuses and end frames name the session's digest", () => {
  assertEquals(formatTrailer(HELLO_XXH128, "xxh128"), `xxh128 ${HELLO_XXH128}`);
  assertEquals(trailerLength("xxh128"), 39);
  assertEquals(trailerLength(), 71);
  assertEquals(parseTrailer(`xxh128 ${HELLO_XXH128.toUpperCase()}`, "xxh128"), HELLO_XXH128);
  assertEquals(
    formatStatus({ ok: true, hex: HELLO_XXH128 }, "xxh128"),
    `ok xxh128 ${HELLO_XXH128}`,
  );
  assertEquals(parseStatus(`ok xxh128 ${HELLO_XXH128}`, "xxh128"), { ok: true, hex: HELLO_XXH128 });
  assertEquals(parseEnd(`xxh128 ${HELLO_XXH128}`, "xxh128"), { ok: true, hex: HELLO_XXH128 });
});

Deno.test("a frame naming a digest the session did not agree is a protocol error", () => {
  assertThrows(
    () => parseTrailer(`sha256 ${HELLO}`, "xxh128"),
    ProtocolError,
    'expected "xxh128 <32 hex digits>"',
  );
  assertThrows(() => parseTrailer(`xxh128 ${HELLO_XXH128}`), ProtocolError, "Cannot read trailer");
  assertThrows(() => parseStatus(`ok xxh128 ${HEX}`, "xxh128"), ProtocolError, "Cannot read");
  assertEquals(isTrailer(`xxh128 ${HELLO_XXH128}`, "sha256"), false);
  assertEquals(isTrailer(`xxh128 ${HELLO_XXH128.slice(1)}g`, "xxh128"), false);
});

Deno.test("`sessionDigest()` is the agreed digest, or sha256", () => {
  assertEquals(sessionDigest(new FeatureSet()), "sha256");
  assertEquals(sessionDigest(new FeatureSet([["digest", "xxh128"]])), "xxh128");
  assertEquals(sessionDigest(new FeatureSet([["digest", "sha256"]])), "sha256");
  assertEquals(sessionDigest(new FeatureSet([["digest", "md5"]])), "sha256");
});

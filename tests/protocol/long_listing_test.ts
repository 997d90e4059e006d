import { assertEquals, assertThrows } from "../support/assert.ts";
import { ProtocolError } from "../../src/common/errors.ts";
import {
  formatLongEntry,
  formatLongListing,
  type LongEntry,
  parseLongListing,
} from "../../src/protocol/long_listing.ts";

const MARCH = Date.UTC(2025, 2, 1, 12, 0, 0);

Deno.test("`formatLongListing()` writes the example of §13.1", () => {
  const text = formatLongListing([
    { path: "big.iso", type: "file", size: 5_000_000_000, modified: MARCH },
    { path: "photos", type: "folder", modified: MARCH },
    { path: "my notes.txt", type: "file", size: 5, modified: MARCH + 999 },
  ]);
  assertEquals(
    text,
    "f 5000000000 2025-03-01T12:00:00Z big.iso\n" +
      "d - 2025-03-01T12:00:00Z photos\n" +
      "f 5 2025-03-01T12:00:00Z my notes.txt\n",
  );
});

Deno.test("`formatLongEntry()` writes an unknown time and a link", () => {
  assertEquals(formatLongEntry({ path: "a/b", type: "link" }), "l - - a/b\n");
  assertEquals(formatLongEntry({ path: "e", type: "file", size: 0 }), "f 0 - e\n");
});

Deno.test("`parseLongListing()` reads what `formatLongListing()` writes", () => {
  const entries: LongEntry[] = [
    { path: "a b/c d.txt", type: "file", size: 12, modified: MARCH },
    { path: "x", type: "folder", size: undefined, modified: undefined },
    { path: "y", type: "link", size: undefined, modified: MARCH },
  ];
  assertEquals(parseLongListing(formatLongListing(entries)), entries);
});

Deno.test("`parseLongListing()` takes CRLF, a missing final LF and empty lines", () => {
  assertEquals(parseLongListing("f 1 - a\r\n\nd - - b"), [
    { path: "a", type: "file", size: 1, modified: undefined },
    { path: "b", type: "folder", size: undefined, modified: undefined },
  ]);
  assertEquals(parseLongListing(""), []);
});

Deno.test("`parseLongListing()` calls any other line a protocol error", () => {
  for (
    const line of [
      "x 1 - a",
      "f - - a",
      "d 5 - a",
      "f 1 2025-03-01 a",
      "f 1 - ",
      "f  1 - a",
      "f 12345678901234567 - a",
      "f 1 2025-13-45T99:99:99Z a",
    ]
  ) {
    assertThrows(() => parseLongListing(line), ProtocolError, "malformed line");
  }
});

import { assertEquals, assertThrows } from "../support/assert.ts";
import { formatAnnouncement, parseAnnouncement } from "../../src/protocol/announcements.ts";

Deno.test("`formatAnnouncement()` and `parseAnnouncement()` agree, plain and resumed", () => {
  const cases = [
    [{ total: 14, from: 0 }, "size 14"],
    [{ total: 10_000_000_005, from: 9_999_999_999 }, "size 10000000005 from 9999999999"],
    [{ total: 3, from: 0, version: "3-17" }, "size 3 from 0 version 3-17"],
  ] as const;
  for (const [announced, text] of cases) {
    assertEquals(formatAnnouncement(announced.total, announced), text);
    assertEquals(parseAnnouncement(text), announced);
  }
});

Deno.test("`parseAnnouncement()` refuses a start past the end, and other shapes", () => {
  for (const text of ["size 3 from 4", "size 3 from 01", "size 3 version V", "size 3 from 1 "]) {
    assertEquals(parseAnnouncement(text), undefined, text);
  }
  assertThrows(() => formatAnnouncement(3, { from: 4 }), RangeError, "Cannot announce 3 bytes");
});

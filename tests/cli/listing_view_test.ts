import { assertEquals } from "../support/assert.ts";
import { renderJson, renderLong, renderNames } from "../../src/cli/listing_view.ts";
import type { LongEntry } from "../../src/protocol/long_listing.ts";

const WHEN = Date.UTC(2025, 2, 1, 12, 0, 0);
const ENTRIES: LongEntry[] = [
  { path: "big.iso", type: "file", size: 5_000_000_000, modified: WHEN },
  { path: "my notes.txt", type: "file", size: 5, modified: WHEN },
  { path: "photos", type: "folder", modified: WHEN },
];

Deno.test("`renderNames()` writes names to type back, folders with /", () => {
  assertEquals(
    renderNames([{ name: "a.txt", isDirectory: false }, { name: "my photos", isDirectory: true }]),
    'a.txt\n"my photos/"\n',
  );
});

Deno.test("`renderLong()` piped: exact bytes and UTC, one space apart", () => {
  assertEquals(
    renderLong(ENTRIES, false),
    "file 5000000000 2025-03-01T12:00:00Z big.iso\n" +
      'file 5 2025-03-01T12:00:00Z "my notes.txt"\n' +
      "folder - 2025-03-01T12:00:00Z photos/\n",
  );
});

Deno.test("`renderLong()` on a terminal: sizes in units, aligned, local time", () => {
  const lines = renderLong(ENTRIES, true).split("\n");
  const time = new Date(WHEN);
  const local = `${time.getFullYear()}-03-0${time.getDate()} ${
    String(time.getHours()).padStart(2, "0")
  }:00`;
  assertEquals(lines, [
    `file    5.00 GB  ${local}  big.iso`,
    `file        5 B  ${local}  "my notes.txt"`,
    `folder        -  ${local}  photos/`,
    "",
  ]);
});

Deno.test("`renderJson()` writes a JSON array with names exactly as they are", () => {
  const json = renderJson([...ENTRIES, { path: 'odd"\u0007', type: "file", size: 0 }]);
  assertEquals(JSON.parse(json), [
    { name: "big.iso", type: "file", size: 5_000_000_000, modified: "2025-03-01T12:00:00.000Z" },
    { name: "my notes.txt", type: "file", size: 5, modified: "2025-03-01T12:00:00.000Z" },
    { name: "photos", type: "folder", size: null, modified: "2025-03-01T12:00:00.000Z" },
    { name: 'odd"\u0007', type: "file", size: 0, modified: null },
  ]);
  assertEquals(renderJson([]), "[]\n");
});

import { assertEquals } from "../support/assert.ts";
import { formatBytes, parseSize } from "../../src/common/sizes.ts";

Deno.test("`parseSize()` counts plain suffixes in powers of 1000", () => {
  assertEquals(
    ["500M", "500MB", "500mb", "10k", "2G", "1T", "1.5K"].map(parseSize),
    [500e6, 500e6, 500e6, 10e3, 2e9, 1e12, 1500],
  );
});

Deno.test("`parseSize()` counts `Ki`, `Mi`, `Gi` and `Ti` in powers of 1024", () => {
  assertEquals(
    ["2GiB", "2gib", "2Gi", "64KiB", "1MiB", "1TiB", "1.5KiB"].map(parseSize),
    [2 * 2 ** 30, 2 * 2 ** 30, 2 * 2 ** 30, 64 * 1024, 2 ** 20, 2 ** 40, 1536],
  );
});

Deno.test("`parseSize()` takes plain bytes, with or without a `B`", () => {
  assertEquals(["0", "1048576", "7B", "7b"].map(parseSize), [0, 1048576, 7, 7]);
});

Deno.test("`parseSize()` allows surrounding spaces and a space before the unit", () => {
  assertEquals([" 10k ", "10 MB", "\t3 GiB\n"].map(parseSize), [10e3, 10e6, 3 * 2 ** 30]);
});

Deno.test("`parseSize()` returns undefined for anything that is not a size", () => {
  const junk = [
    "",
    " ",
    "abc",
    "M",
    "-1",
    "+1",
    "1.2.3",
    ".5M",
    "5.",
    "5X",
    "5 M B",
    "1e3",
    "0x10",
    "Infinity",
    "NaN",
    "1 000",
    "5KB!",
    "5 iB",
  ];
  assertEquals(
    junk.map((text) => [text, parseSize(text)]),
    junk.map((text) => [text, undefined]),
  );
});

Deno.test("`parseSize()` returns undefined for a size past the safe integers", () => {
  assertEquals([parseSize("99999999T"), parseSize("9007199254740993")], [undefined, undefined]);
  assertEquals(parseSize("8191TiB"), 8191 * 2 ** 40);
});

Deno.test("`formatBytes()` shows bytes below 1000 as a whole number", () => {
  assertEquals([0, 1, 999].map(formatBytes), ["0 B", "1 B", "999 B"]);
});

Deno.test("`formatBytes()` uses powers of 1000 with two decimals below 10, one above", () => {
  assertEquals(
    [1000, 1234567, 9994, 12_345, 123_456_789, 1e12, 2.5e12].map(formatBytes),
    ["1.00 KB", "1.23 MB", "9.99 KB", "12.3 KB", "123.5 MB", "1.00 TB", "2.50 TB"],
  );
});

Deno.test("`formatBytes()` rounds 9.995 and up to one decimal, never `10.00`", () => {
  assertEquals([9995, 9999, 9_999_999].map(formatBytes), ["10.0 KB", "10.0 KB", "10.0 MB"]);
});

Deno.test("`formatBytes()` stays in TB past the last unit", () => {
  assertEquals(formatBytes(1e15), "1000.0 TB");
});

Deno.test("`formatBytes()` never shows 1000 of a unit that has a larger one", () => {
  assertEquals(
    [999_999, 999_960, 999_999_999].map(formatBytes),
    ["1.00 MB", "1.00 MB", "1.00 GB"],
  );
});

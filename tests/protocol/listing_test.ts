import { assert, assertEquals } from "../support/assert.ts";
import {
  compareCodePoints,
  formatListing,
  Listing,
  type ListingEntry,
  listingSteps,
  MAX_LISTING_BYTES,
  parseListing,
} from "../../src/protocol/listing.ts";
import { concatBytes } from "../../src/protocol/replies.ts";

const file = (name: string): ListingEntry => ({ name, isDirectory: false });
const folder = (name: string): ListingEntry => ({ name, isDirectory: true });

Deno.test("`MAX_LISTING_BYTES` is 64 MiB", () => {
  assertEquals(MAX_LISTING_BYTES, 67_108_864);
});

Deno.test("`formatListing()` writes the example of §4.1", () => {
  const listing = formatListing([folder("photos"), file("notes.md"), file("hello.txt")]);
  assertEquals(listing, "hello.txt\nnotes.md\nphotos/\n");
  assertEquals(new TextEncoder().encode(listing).byteLength, 27);
});

Deno.test("`formatListing()` sorts names and marks folders", () => {
  const listing = formatListing([file("b.txt"), folder("a dir"), file("B")]);
  assertEquals(listing, "B\na dir/\nb.txt\n");
});

Deno.test("`formatListing()` writes an empty folder as an empty payload", () => {
  assertEquals(formatListing([]), "");
});

Deno.test("`formatListing()` leaves the folder's / out of the order", () => {
  // "-" (0x2d) sorts before "/" (0x2f): by "a/" the folder would come second.
  assertEquals(formatListing([file("a-b"), folder("a")]), "a/\na-b\n");
});

Deno.test("`formatListing()` sorts by code point, not by UTF-16 code unit", () => {
  // U+FF61 is one code unit; U+1F600 is the surrogate pair D83D DE00, which `<` sorts first.
  assertEquals(formatListing([file("😀"), file("\uff61")]), "\uff61\n😀\n");
});

Deno.test("`formatListing()` does not reorder the caller's array", () => {
  const entries = [file("b"), file("a")];
  formatListing(entries);
  assertEquals(entries, [file("b"), file("a")]);
});

Deno.test("`compareCodePoints()` orders by code point, then by length", () => {
  assert(compareCodePoints("a", "b") < 0, "a < b");
  assert(compareCodePoints("b", "a") > 0, "b > a");
  assert(compareCodePoints("B", "a") < 0, "B < a");
  assert(compareCodePoints("a", "ab") < 0, "a < ab");
  assert(compareCodePoints("\uff61", "😀") < 0, "U+FF61 < U+1F600");
  assertEquals(compareCodePoints("same", "same"), 0);
  assertEquals(compareCodePoints("", ""), 0);
});

Deno.test("`parseListing()` reads folders, CRLF and a missing final newline", () => {
  assertEquals(parseListing("a/\r\nb c\nd"), [folder("a"), file("b c"), file("d")]);
  assertEquals(parseListing(""), []);
});

Deno.test("`parseListing()` ignores empty lines", () => {
  assertEquals(parseListing("\n\na\n\r\n\nb/\n\n"), [file("a"), folder("b")]);
});

Deno.test("`parseListing()` keeps the server's order and names literally", () => {
  assertEquals(parseListing("z\n a \nnaïve 名前.txt\n"), [
    file("z"),
    file(" a "),
    file("naïve 名前.txt"),
  ]);
});

Deno.test("`parseListing()` reads what `formatListing()` writes", () => {
  const entries = [file("a b.txt"), folder("dir"), file(".hidden"), file("😀")];
  assertEquals(parseListing(formatListing(entries)), [
    file(".hidden"),
    file("a b.txt"),
    folder("dir"),
    file("😀"),
  ]);
});

Deno.test("`formatListing()` sorts thousands of names exactly as a code-point sort does", () => {
  // Names from every range the two orders disagree on: ASCII, U+E000–U+FFFF, astral.
  const alphabet = ["a", "B", "é", "\ue000", "\uffff", "\uff61", "😀", "𝄞", "名", "\u0000"];
  const names = Array.from({ length: 3000 }, (_, i) => {
    let name = "";
    for (let n = i * 7919; name.length < 6; n = Math.floor(n / 10)) name += alphabet[n % 10];
    return `${name}${i}`;
  });
  const byCodePoint = [...names].sort((a, b) => {
    const [x, y] = [[...a].map((c) => c.codePointAt(0)!), [...b].map((c) => c.codePointAt(0)!)];
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
    return x.length - y.length;
  });
  const listing = formatListing(names.map(file));
  assertEquals(listing, byCodePoint.map((name) => name + "\n").join(""));
});

Deno.test("`listingSteps()` yields every few hundred entries and returns chunks of at most 64 KiB", () => {
  const entries = Array.from({ length: 5000 }, (_, i) => file(`${i}`.padStart(60, "0")));
  const steps = listingSteps(entries);
  let yields = 0;
  let step = steps.next();
  for (; !step.done; step = steps.next()) yields++;
  // Keys, runs, merges and encoding each yield every 512 entries or fewer.
  assert(yields >= 4 * (5000 / 512), `only ${yields} yields`);
  assert(step.value.every((chunk) => chunk.byteLength <= 65536), "a chunk over 64 KiB");
  assertEquals(
    new TextDecoder().decode(concatBytes(...step.value)),
    entries.map((entry) => entry.name + "\n").join(""),
  );
});

Deno.test("`listingSteps()` splits a line that does not fit a chunk at a character boundary", () => {
  const entries = Array.from(
    { length: 300 },
    (_, i) => file(`${String(i).padStart(3, "0")}${"é".repeat(126)}`),
  );
  const steps = listingSteps(entries);
  let step = steps.next();
  while (!step.done) step = steps.next();
  assertEquals(
    new TextDecoder("utf-8", { fatal: true }).decode(concatBytes(...step.value)),
    formatListing(entries),
  );
});

Deno.test("`Listing` reads entries lazily, as `parseListing()` does, and counts them", () => {
  const text = "a/\r\nb c\n\n\r\nd";
  const listing = new Listing(text);
  assertEquals(listing.size, 3);
  assertEquals([...listing], [folder("a"), file("b c"), file("d")]);
  assertEquals([...listing], parseListing(text), "iterable again");
  assertEquals(new Listing("").size, 0);
  assertEquals(new Listing("\n\r\n\n").size, 0);
});

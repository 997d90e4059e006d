import { assert, assertEquals } from "../support/assert.ts";
import {
  compareCodePoints,
  formatListing,
  type ListingEntry,
  MAX_LISTING_BYTES,
  parseListing,
} from "../../src/protocol/listing.ts";

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

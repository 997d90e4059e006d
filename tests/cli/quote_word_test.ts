import { assertEquals } from "../support/assert.ts";
import { quoteWord } from "../../src/cli/quote_word.ts";
import { tokenize } from "../../src/cli/tokenize.ts";

Deno.test("`quoteWord()` leaves plain names alone", () => {
  for (const name of ["a.txt", "naïve-名前.txt", "photos/", "a*b", "-x"]) {
    assertEquals(quoteWord(name), name);
  }
});

Deno.test("`quoteWord()` quotes what the prompt would split or strip", () => {
  assertEquals(quoteWord("my file.txt"), '"my file.txt"');
  assertEquals(quoteWord('say "hi"'), `'say "hi"'`);
  assertEquals(quoteWord("it's"), `"it's"`);
  assertEquals(quoteWord(""), '""');
  assertEquals(quoteWord("tab\there"), '"tab\\u0009here"');
  assertEquals(quoteWord("#1"), '"#1"'); // Bare, it would start a comment.
  assertEquals(quoteWord("a\\b"), '"a\\\\b"');
});

Deno.test("what `quoteWord()` writes, `tokenize()` reads back as one word", () => {
  for (
    const name of [
      "my file.txt",
      'say "hi"',
      "it's",
      `it's "both"`,
      `"`,
      `'`,
      `a"'b`,
      " lead",
      "",
      "a\\b",
      "#1",
      "a\\#",
      "back\\ slash",
    ]
  ) {
    assertEquals(tokenize(`get ${quoteWord(name)}`), ["get", name], name);
  }
});

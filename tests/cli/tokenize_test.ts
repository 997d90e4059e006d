import { assertEquals, assertThrows } from "../support/assert.ts";
import { scan, tokenize } from "../../src/cli/tokenize.ts";

Deno.test("tokenize() splits on spaces and tabs", () => {
  assertEquals(tokenize("  get   a.txt\tb.txt "), ["get", "a.txt", "b.txt"]);
  assertEquals(tokenize(""), []);
});

Deno.test("tokenize() groups quoted words, keeping empty ones", () => {
  assertEquals(tokenize("get \"my file.txt\" 'local copy'"), ["get", "my file.txt", "local copy"]);
  assertEquals(tokenize('put a"b c"d'), ["put", "ab cd"]);
  assertEquals(tokenize('get ""'), ["get", ""]);
  assertEquals(tokenize(`get "it's"`), ["get", "it's"]);
});

Deno.test("tokenize() keeps backslashes, for Windows paths", () => {
  assertEquals(tokenize("put C:\\Users\\me\\a.txt"), ["put", "C:\\Users\\me\\a.txt"]);
});

Deno.test("tokenize() rejects an unterminated quote", () => {
  assertThrows(() => tokenize('get "open'), SyntaxError, 'Unterminated " quote');
});

Deno.test("tokenize() takes a backslash before a space, quote, # or backslash as escaping it", () => {
  assertEquals(tokenize("get holiday\\ video.mp4"), ["get", "holiday video.mp4"]);
  assertEquals(tokenize('get it\\\'s \\"x\\" a\\\\b'), ["get", "it's", '"x"', "a\\b"]);
  assertEquals(tokenize("get \\#1"), ["get", "#1"]);
  // Inside double quotes only " and \ are escaped; single quotes take everything as it is.
  assertEquals(tokenize('get "a\\"b\\\\c\\ d"'), ["get", 'a"b\\c\\ d']);
  assertEquals(tokenize("get 'a\\ b'"), ["get", "a\\ b"]);
  // A backslash at the very end has nothing to escape: it stays.
  assertEquals(tokenize("get a\\"), ["get", "a\\"]);
});

Deno.test("tokenize() treats an unquoted # that starts a word as a comment", () => {
  assertEquals(tokenize("# a comment"), []);
  assertEquals(tokenize("   #indented"), []);
  assertEquals(tokenize("get a.txt # the notes"), ["get", "a.txt"]);
  // Inside a word or in quotes, # is just a character.
  assertEquals(tokenize("get a#b '#c' \"#d\""), ["get", "a#b", "#c", "#d"]);
});

Deno.test("scan() says where each word starts, and whether the line ends between words", () => {
  assertEquals(scan('get "my fi'), {
    words: [{ text: "get", start: 0 }, { text: "my fi", start: 4 }],
    openQuote: '"',
    betweenWords: false,
    comment: false,
  });
  assertEquals(scan("get a\\ b "), {
    words: [{ text: "get", start: 0 }, { text: "a b", start: 4 }],
    openQuote: undefined,
    betweenWords: true,
    comment: false,
  });
  assertEquals(scan("get # a").comment, true);
  assertEquals(scan("put ''").betweenWords, false); // An empty quoted word is a word.
  // Positions count UTF-16 units, as the line's string does.
  assertEquals(scan("get 名前 x").words.at(-1), { text: "x", start: 7 });
});

import { assertEquals, assertThrows } from "../support/assert.ts";
import { tokenize } from "../../src/cli/tokenize.ts";

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

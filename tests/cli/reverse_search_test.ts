/** Ctrl-R's search, fed keys the way the line editor feeds it. */
import { assertEquals } from "../support/assert.ts";
import { ReverseSearch } from "../../src/cli/reverse_search.ts";

/** Newest first, as the line editor keeps it. */
const HISTORY = ["get notes.txt", "ls", "put notes.txt copy", "get big.bin"];

Deno.test("ReverseSearch finds the newest line holding what was typed", () => {
  const search = new ReverseSearch(HISTORY);
  assertEquals(search.render(), "(reverse-i-search)'': ");
  search.type("no");
  assertEquals(search.view, { query: "no", match: "get notes.txt" });
  search.type("tes.txt c");
  assertEquals(search.view.match, "put notes.txt copy");
  assertEquals(search.render(), "(reverse-i-search)'notes.txt c': put notes.txt copy");
});

Deno.test("ReverseSearch goes further back on Ctrl-R, and stays at the oldest match", () => {
  const search = new ReverseSearch(HISTORY);
  search.type("get");
  assertEquals(search.view.match, "get notes.txt");
  search.older();
  assertEquals(search.view.match, "get big.bin");
  search.older();
  assertEquals(search.view.match, "get big.bin");
});

Deno.test("ReverseSearch says when nothing matches, and backspace searches again", () => {
  const search = new ReverseSearch(HISTORY);
  search.type("lsx");
  assertEquals(search.render(), "(failed reverse-i-search)'lsx': ");
  search.erase();
  assertEquals(search.view, { query: "ls", match: "ls" });
  search.erase();
  search.erase();
  search.erase(); // Past empty: still empty.
  assertEquals(search.view, { query: "", match: undefined });
});

Deno.test("ReverseSearch erases a whole character, not half a surrogate pair", () => {
  const search = new ReverseSearch(["get 🎬.mp4"]);
  search.type("🎬");
  assertEquals(search.view.match, "get 🎬.mp4");
  search.erase();
  assertEquals(search.view.query, "");
});

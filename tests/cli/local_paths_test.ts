/** `~` in local paths at the prompt. */
import { assertEquals } from "../support/assert.ts";
import { expandHome } from "../../src/cli/local_paths.ts";

Deno.test("expandHome() replaces ~ and ~/ with the home folder, and nothing else", () => {
  const env = (name: string) => name === "HOME" ? "/home/me" : undefined;
  assertEquals(expandHome("~", env), "/home/me");
  assertEquals(expandHome("~/a.txt", env), "/home/me/a.txt");
  assertEquals(expandHome("~other/a.txt", env), "~other/a.txt");
  assertEquals(expandHome("a~/b", env), "a~/b");
  assertEquals(expandHome("~/a.txt", () => undefined), "~/a.txt"); // No home known.
  assertEquals(
    expandHome("~", (name) => name === "USERPROFILE" ? "C:\\Users\\me" : undefined),
    "C:\\Users\\me",
  );
});

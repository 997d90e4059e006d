/** The prompt's history file: where it lives, what it keeps, and who may read it. */
import { assert, assertEquals } from "../support/assert.ts";
import { HISTORY_SIZE, historyPath, loadHistory, saveHistory } from "../../src/cli/history.ts";
import { namesIn, tempDir } from "../support/helpers.ts";

Deno.test("historyPath() is in the state folder", () => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  assertEquals(historyPath(env({ XDG_STATE_HOME: "/s" })), "/s/ferry/history");
  if (Deno.build.os === "linux") {
    assertEquals(historyPath(env({ HOME: "/h" })), "/h/.local/state/ferry/history");
  }
});

Deno.test("saveHistory() writes oldest first, privately, and loadHistory() reads it back newest first", async () => {
  await using dir = await tempDir();
  const path = dir.file("state", "ferry", "history");
  assertEquals(await loadHistory(path), []); // None yet.
  assertEquals(await saveHistory(path, ["quit", "get a.txt", "ls"]), undefined);
  assertEquals(await Deno.readTextFile(path), "ls\nget a.txt\nquit\n");
  assertEquals(await loadHistory(path), ["quit", "get a.txt", "ls"]);
  if (Deno.build.os !== "windows") {
    assertEquals((await Deno.stat(path)).mode! & 0o777, 0o600);
    assertEquals((await Deno.stat(dir.file("state", "ferry"))).mode! & 0o777, 0o700);
  }
  assertEquals(await namesIn(dir.file("state", "ferry")), ["history"]); // No temp file left.
});

Deno.test("the history keeps the newest lines up to its cap, and skips blank ones", async () => {
  await using dir = await tempDir();
  const path = dir.file("history");
  const lines = Array.from({ length: HISTORY_SIZE + 50 }, (_, i) => `get f${i}`); // Newest first.
  await saveHistory(path, lines);
  const kept = await loadHistory(path);
  assertEquals([kept.length, kept[0], kept.at(-1)], [HISTORY_SIZE, "get f0", "get f999"]);
  await Deno.writeTextFile(path, "ls\n\n   \nquit\n");
  assertEquals(await loadHistory(path), ["quit", "ls"]);
});

Deno.test("saveHistory() says why it cannot write, and leaves no temp file", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(dir.file("file"), "");
  const problem = await saveHistory(dir.file("file", "history"), ["ls"]); // Under a file.
  assert(problem !== undefined && problem !== "", "a reason");
  assertEquals(await namesIn(dir.path), ["file"]);
});

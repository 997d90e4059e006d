/**
 * A short soak in the suite: `deno task soak` with eight clients mixing `ls`, `get`
 * and `put` against a `ferry serve` subprocess. Run as a program of its own, so the
 * suite does not import the bench; `deno task soak` runs the long one.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { assertEquals, assertStringIncludes } from "../support/assert.ts";

const SOAK = fileURLToPath(new URL("../../bench/soak.ts", import.meta.url));

Deno.test("eight clients mixing ls, get and put lose nothing and hit no error", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      "--allow-read",
      "--allow-write",
      "--allow-run",
      "--allow-env",
      SOAK,
      ...["--clients", "8", "--ops", "15", "--max-size", "65536", "--seconds", "20"],
    ],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const report = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  assertEquals(code, 0, report);
  assertStringIncludes(report, "120 transfers", report);
  assertStringIncludes(report, ": 0 lost, 0 corrupt, 0 temp files left; 0 errors", report);
});

/**
 * Every message a user sees is ferry's own: the runtime's permission texts ("run
 * again with the --allow-all flag") never reach them, checked through the real program.
 */
import { assertEquals, assertStringIncludes } from "../support/assert.ts";
import { describeFailure } from "../../src/cli/describe.ts";
import { runFerry, spawnServe } from "../support/ferry_process.ts";
import { tempDir } from "../support/helpers.ts";

const SYSTEM = "ferry does not use system paths such as /dev, /proc and /sys";

Deno.test("`describeFailure()` words a refused permission as ferry's own sentence", () => {
  const error = new Deno.errors.NotCapable(
    'Requires all access to "/proc/x", run again with the --allow-all flag',
  );
  assertEquals(describeFailure(error), SYSTEM);
});

Deno.test("system paths given to `connect` and `serve` are refused in ferry's words", async () => {
  await using shared = await tempDir();
  await using work = await tempDir();
  await Deno.writeTextFile(shared.file("notes.txt"), "notes");
  const server = await spawnServe(shared.path, ["--plain"]);
  const target = `127.0.0.1:${server.port}`;
  const cases: [string[], number, string][] = [
    [
      ["connect", "--plain", target, "-c", "get notes.txt /proc/x"],
      6,
      `Cannot write "/proc/x": ${SYSTEM}`,
    ],
    [["connect", "--plain", target, "-c", "get notes.txt /dev/shm/"], 6, `"/dev/shm/": ${SYSTEM}`],
    [
      ["connect", "--plain", target, "-c", "put /proc/self/status"],
      6,
      `Cannot read "/proc/self/status": ${SYSTEM}`,
    ],
    [["serve", "/proc", "--plain", "--port", "0"], 2, `Cannot serve folder "/proc": ${SYSTEM}`],
  ];
  for (const [args, code, message] of cases) {
    const result = await runFerry(args, { cwd: work.path });
    assertEquals(result.code, code, `${args.join(" ")}: ${result.stderr}`);
    assertStringIncludes(result.stderr, message, args.join(" "));
    assertEquals(/--allow|Requires all access/.test(result.stderr), false, result.stderr);
  }
  await server.stop();
});

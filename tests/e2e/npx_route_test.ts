/**
 * The README's first command, as a newcomer types it in a terminal: `npx -y
 * deno@2.9.6 task serve DIR`, stopped with Ctrl-C. ferry exits 0 (as under `deno
 * task`), but npm, which gets the same Ctrl-C, ends itself by that signal once Deno
 * has exited, so the shell reports 130: the code the README states for this route.
 * Skipped (and says so) where npx cannot run that Deno without downloading it.
 */
import { assertEquals } from "../support/assert.ts";
import { tempDir } from "../support/helpers.ts";
import { HAS_TMUX, Terminal } from "../support/terminal.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** Whether `npx` has deno@2.9.6 at hand (installed or cached), asking nothing online. */
const HAS_NPX_DENO = (() => {
  try {
    return new Deno.Command("npx", {
      args: ["--no", "--", "deno@2.9.6", "--version"],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).outputSync().success;
  } catch {
    return false;
  }
})();
if (HAS_TMUX && !HAS_NPX_DENO) {
  console.warn("npx has no deno@2.9.6 at hand: the README's npx route is not tried");
}

/** Starts `serve` the given way, presses Ctrl-C once it serves, and returns the exit code. */
async function ctrlCOf(command: string[]): Promise<{ code: number; screen: string }> {
  await using shared = await tempDir();
  await using config = await tempDir();
  await using tty = await Terminal.open(
    [...command, shared.path, "--host", "127.0.0.1", "--port", "0"],
    { cwd: ROOT, env: { XDG_CONFIG_HOME: config.path }, columns: 200 },
  );
  await tty.waitFor("ferry: or, to allow downloads only:", { ms: 60_000 });
  await tty.press("C-c");
  const screen = await tty.waitFor(" stop ok - - - stopped"); // The log's last line.
  return { code: await tty.exitCode(), screen };
}

Deno.test({
  name: "Ctrl-C of the README's npx serve exits 130 (npm's signal), and deno task's exits 0",
  ignore: !HAS_TMUX || !HAS_NPX_DENO,
  async fn() {
    const npx = await ctrlCOf(["npx", "-y", "deno@2.9.6", "task", "serve"]);
    assertEquals(npx.code, 130, npx.screen);
    const task = await ctrlCOf([Deno.execPath(), "task", "serve"]);
    assertEquals(task.code, 0, task.screen);
  },
});

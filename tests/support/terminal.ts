/**
 * A real terminal for tests: a program run inside tmux (its own server, on a socket
 * in a temp folder), typed at with `send-keys`, and read with `capture-pane`, so a
 * test asserts on the screen a person would see. Waiting is a bounded poll of the
 * screen for a condition, never a sleep. tmux is a Debian package; `.ci/run`
 * installs it.
 *
 * @module
 */

import { join } from "node:path";
import { MAIN, PERMISSIONS } from "./ferry_process.ts";

/** How {@linkcode Terminal.open} starts the program. */
export interface TerminalOptions {
  cwd?: string;
  env?: Record<string, string>;
  columns?: number;
  rows?: number;
}

/** Whether tmux is installed (tests that need it are skipped, and say so, without it). */
export const HAS_TMUX: boolean = (() => {
  try {
    return new Deno.Command("tmux", { args: ["-V"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

/** The command line that runs ferry from source with its permissions. */
export function ferryCommand(args: string[]): string[] {
  return [Deno.execPath(), "run", ...PERMISSIONS, MAIN, ...args];
}

/** A program on a pseudo-terminal. */
export class Terminal implements AsyncDisposable {
  #folder: string;
  #socket: string;

  private constructor(folder: string) {
    this.#folder = folder;
    this.#socket = join(folder, "tmux.sock");
  }

  /**
   * Starts `command` in a detached tmux session of the given size, as the pane's own
   * process (no shell between, which Ctrl-C would end too). When it exits, the pane
   * stays, to be read.
   */
  static async open(command: string[], options: TerminalOptions = {}): Promise<Terminal> {
    const folder = await Deno.makeTempDir({ prefix: "ferry-tty-" });
    const terminal = new Terminal(folder);
    const config = join(folder, "tmux.conf");
    await Deno.writeTextFile(config, "set -g remain-on-exit on\nset -g history-limit 100\n");
    const env = { NO_COLOR: "1", TERM: "xterm-256color", ...options.env };
    await terminal.#tmux(
      "-f",
      config,
      "new-session",
      "-d",
      "-x",
      String(options.columns ?? 100),
      "-y",
      String(options.rows ?? 30),
      "-c",
      options.cwd ?? Deno.cwd(),
      ...Object.entries(env).flatMap(([name, value]) => ["-e", `${name}=${value}`]),
      ...command,
    );
    return terminal;
  }

  /** Types `text` as it is (no key names). */
  async type(text: string): Promise<void> {
    await this.#tmux("send-keys", "-l", text);
  }

  /** Presses keys by tmux's names: `Enter`, `Tab`, `Up`, `Left`, `C-c`, `C-r`, ... */
  async press(...keys: string[]): Promise<void> {
    await this.#tmux("send-keys", ...keys);
  }

  /** The screen now, as plain text, trailing blank lines dropped. */
  async screen(): Promise<string> {
    const text = await this.#tmux("capture-pane", "-p", "-J");
    return text.replace(/\n+$/, "\n");
  }

  /**
   * Polls the screen until `until` holds (text it includes, or a test), at most
   * `options.ms` (default 20 s); returns that screen, or throws with the last one
   * seen. Once `options.signal` aborts, it stops polling and returns the last screen.
   */
  async waitFor(
    until: string | RegExp | ((screen: string) => boolean),
    options: { ms?: number; signal?: AbortSignal } = {},
  ): Promise<string> {
    const test = typeof until === "function"
      ? until
      : typeof until === "string"
      ? (screen: string) => screen.includes(until)
      : (screen: string) => until.test(screen);
    const deadline = performance.now() + (options.ms ?? 20_000);
    let screen = "";
    while (performance.now() < deadline && !options.signal?.aborted) {
      screen = await this.screen();
      if (test(screen)) return screen;
      await new Promise((resolve) => setTimeout(resolve, 25)); // Between polls, not instead of one.
    }
    if (options.signal?.aborted) return screen;
    throw new Error(`The screen never showed ${String(until)}; it shows:\n${screen}`);
  }

  /**
   * Waits for `promise` (something outside the terminal, a server's side of a
   * transfer, say), but fails at once with the screen if the program shows an error
   * first (`ferry: ` on screen), and at most `ms`: never hangs on a client that died.
   */
  async alongside<T>(promise: Promise<T>, ms = 20_000): Promise<T> {
    const stop = new AbortController();
    const failed = this.waitFor("ferry: ", { ms, signal: stop.signal }).then((screen) => {
      if (stop.signal.aborted) return undefined;
      throw new Error(`The program reported an error first; the screen shows:\n${screen}`);
    }, (error) => {
      if (stop.signal.aborted) return undefined;
      throw new Error(`Waited ${ms} ms in vain`, { cause: error });
    });
    try {
      return await Promise.race([promise, failed as Promise<never>]);
    } finally {
      stop.abort();
      await failed.catch(() => {}); // Its poll ends before the test does: no timer left.
    }
  }

  /**
   * Waits (at most `ms`) for the program to end; its exit code.
   *
   * tmux learns a pane's exit status from SIGCHLD, and Debian's tmux can lose that
   * signal: when the pane's terminal closes it runs libutempter's helper, which sets
   * SIGCHLD to SIG_DFL around its own fork and wait, and a program that exits in that
   * window (it closed the terminal microseconds earlier, so it often does) stays a
   * zombie that tmux never reaps. The pane then reads "dead" with no status forever.
   * So once the pane is dead, each poll repeats the signal to tmux, which makes it
   * collect whatever child has exited; it is harmless when there is none.
   */
  async exitCode(ms = 20_000): Promise<number> {
    const deadline = performance.now() + ms;
    while (performance.now() < deadline) {
      const format = "#{pane_dead}:#{pane_dead_status}:#{pane_dead_signal}:#{pid}";
      const [dead, status, signal, server] = (await this.#tmux("display", "-p", format)).trim()
        .split(":");
      if (dead === "1" && status !== "") return Number(status);
      if (dead === "1" && signal !== "") return 128 + Number(signal);
      if (dead === "1") Deno.kill(Number(server), "SIGCHLD");
      await new Promise((resolve) => setTimeout(resolve, 25)); // Between polls.
    }
    throw new Error(`The program did not end; the screen shows:\n${await this.screen()}`);
  }

  /**
   * Keeps, from now on, all the program writes, as the terminal receives it (escape
   * codes and all), for what no screen shows: a redraw that was drawn over at once.
   * {@linkcode Terminal.waitForOutput} reads it.
   */
  async record(): Promise<void> {
    await this.#tmux("pipe-pane", "-o", `cat > '${join(this.#folder, "output.log")}'`);
  }

  /**
   * Polls what {@linkcode Terminal.record} has kept until `until` matches it, at most
   * `ms` (default 20 s); returns it, or throws with what it was.
   */
  async waitForOutput(until: RegExp, ms = 20_000): Promise<string> {
    const deadline = performance.now() + ms;
    let output = "";
    while (performance.now() < deadline) {
      output = await Deno.readTextFile(join(this.#folder, "output.log")).catch(() => "");
      if (until.test(output)) return output;
      await new Promise((resolve) => setTimeout(resolve, 25)); // Between polls.
    }
    throw new Error(`The output never matched ${until}; it was:\n${JSON.stringify(output)}`);
  }

  /** Resizes the terminal, as a person dragging its window's corner. */
  async resize(columns: number, rows: number): Promise<void> {
    await this.#tmux("resize-window", "-x", String(columns), "-y", String(rows));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#tmux("kill-server").catch(() => {});
    await Deno.remove(this.#folder, { recursive: true }).catch(() => {});
  }

  async #tmux(...args: string[]): Promise<string> {
    const output = await new Deno.Command("tmux", {
      args: ["-S", this.#socket, ...args],
      stdin: "null",
    }).output();
    const text = new TextDecoder().decode(output.stdout);
    if (!output.success) {
      throw new Error(`tmux ${args[0]} failed: ${new TextDecoder().decode(output.stderr)}`);
    }
    return text;
  }
}

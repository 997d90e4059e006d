/**
 * The `ftp>` prompt on a terminal: `node:readline` for editing (arrows, Home/End,
 * word moves, Ctrl-A/E/K/U/W/L), history and Tab, with two things it lacks added
 * here: Ctrl-R (it has no history search, so keys pass through a filter that runs
 * {@linkcode ReverseSearch}), and Ctrl-C that clears the line instead of ending the
 * session. While a command runs the terminal is back in its usual mode, so Ctrl-C
 * there is a signal (which cancels the command) and typed-ahead lines wait their turn.
 *
 * @module
 */

import process from "node:process";
import * as readline from "node:readline";
import { PassThrough } from "node:stream";
import { HISTORY_SIZE } from "./history.ts";
import { ReverseSearch } from "./reverse_search.ts";

/** Options for {@linkcode LineEditor}. */
export interface LineEditorOptions {
  prompt: string;
  /** Earlier lines, newest first. */
  history: string[];
  /** Told the whole history (newest first) each time a line is added. */
  onHistory?: (lines: string[]) => void;
  /** Completions for the text left of the cursor, as `node:readline` takes them. */
  complete?: (line: string) => Promise<[string[], string]>;
}

const CTRL_C = "\x03";
const CTRL_G = "\x07";
const CTRL_R = "\x12";
const ENTER = /^[\r\n]$/;
const BACKSPACE = new Set(["\x7f", "\b"]);
/** Ctrl-E then Ctrl-U: readline's own keys for "cursor to the end, delete to the start". */
const CLEAR_LINE = "\x05\x15";

/** Terminal input that `node:readline` reads: raw mode goes to the real stdin. */
type TerminalInput = PassThrough & {
  isTTY: boolean;
  isRaw: boolean;
  setRawMode(mode: boolean): void;
};

/** Reads lines from the terminal, one prompt at a time. */
export class LineEditor {
  #rl: readline.Interface;
  #input: TerminalInput;
  #lines: (string | undefined)[] = [];
  #waiting: ((line: string | undefined) => void) | undefined;
  #closed = false;
  #search: { search: ReverseSearch; original: string } | undefined;
  /** The history, newest first, as readline last reported it. */
  #history: string[];
  #onData = (chunk: Uint8Array | string) => this.#filter(String(chunk));
  /**
   * readline's own handler for a resized terminal, which redraws the prompt: heard
   * only while a prompt is shown, not over a command's output (a progress bar).
   */
  #redrawOnResize: (() => void) | undefined;

  constructor(options: LineEditorOptions) {
    const input = new PassThrough() as TerminalInput;
    input.isTTY = true;
    input.isRaw = false;
    input.setRawMode = (mode) => {
      if (process.stdin.isTTY) process.stdin.setRawMode(mode);
      input.isRaw = mode;
    };
    this.#input = input;
    this.#history = [...options.history];
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", this.#onData);
    const complete = options.complete;
    const heard = process.stdout.listeners("resize");
    this.#rl = readline.createInterface({
      input,
      output: process.stdout,
      terminal: true,
      prompt: options.prompt,
      history: [...options.history],
      historySize: HISTORY_SIZE,
      removeHistoryDuplicates: true,
      tabSize: 4,
      completer: complete &&
        ((line: string, callback: (error: Error | null, result: [string[], string]) => void) => {
          complete(line).then((result) => callback(null, result), () => callback(null, [[], ""]));
        }),
    });
    this.#redrawOnResize = process.stdout.listeners("resize")
      .find((listener) => !heard.includes(listener)) as (() => void) | undefined;
    this.#rl.on("line", (line: string) => this.#deliver(line));
    this.#rl.on("close", () => this.#end());
    this.#rl.on("SIGINT", () => this.#clearLine());
    // Ctrl-Z at the prompt: readline stops ferry, and on `fg` redraws the line but
    // pauses itself, which would leave the prompt deaf to every key.
    this.#rl.on("SIGCONT", () => {
      if (this.#waiting) this.#rl.resume();
    });
    this.#rl.on("history", (lines: string[]) => {
      this.#history = [...lines];
      options.onHistory?.(this.#history);
    });
    this.#suspend();
  }

  /** The next line typed; `undefined` once the user pressed Ctrl-D (or input ended). */
  read(): Promise<string | undefined> {
    if (this.#lines.length > 0) return Promise.resolve(this.#lines.shift());
    if (this.#closed) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.#waiting = resolve;
      if (this.#redrawOnResize) {
        process.stdout.off("resize", this.#redrawOnResize); // Never twice.
        process.stdout.on("resize", this.#redrawOnResize);
      }
      this.#rl.resume();
      this.#input.setRawMode(true);
      this.#rl.prompt();
    });
  }

  /**
   * Lends the terminal to a program run from the prompt (`!COMMAND`) until `run`
   * settles: ferry reads none of its keys meanwhile. Not merely politeness: an
   * interactive shell takes the terminal's foreground, and a read by ferry from the
   * background then stops ferry (SIGTTIN) or fails (EIO).
   */
  async lend<T>(run: () => Promise<T>): Promise<T> {
    process.stdin.off("data", this.#onData);
    process.stdin.pause();
    try {
      return await run();
    } finally {
      if (!this.#closed) {
        process.stdin.on("data", this.#onData);
        process.stdin.resume();
      }
    }
  }

  /** Gives the terminal back: cooked mode, the input let go of. Safe to call twice. */
  close(): void {
    if (!this.#closed) this.#rl.close();
    this.#end();
    process.stdin.off("data", this.#onData);
    process.stdin.pause();
  }

  /** A line is in: the command runs with the terminal in its usual mode. */
  #deliver(line: string | undefined): void {
    if (this.#waiting) {
      const resolve = this.#waiting;
      this.#waiting = undefined;
      this.#suspend();
      resolve(line);
    } else {
      this.#lines.push(line);
    }
  }

  #suspend(): void {
    if (this.#closed) return;
    if (this.#redrawOnResize) process.stdout.off("resize", this.#redrawOnResize);
    this.#rl.pause();
    this.#input.setRawMode(false);
  }

  #end(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#deliver(undefined);
  }

  /**
   * Ctrl-C at the prompt: the line stays on screen with `^C` after it, and a fresh
   * empty line starts below, as shells do. readline redraws the emptied line from the
   * row it last left the cursor on, which is `rows` below the prompt of a line that
   * wrapped: so many more newlines first, and its redraw lands just below the old
   * line instead of over it.
   */
  #clearLine(): void {
    this.#rl.write(null, { ctrl: true, name: "e" }); // The cursor to the line's end.
    const { rows } = this.#rl.getCursorPos();
    process.stdout.write("^C" + "\r\n".repeat(rows + 1));
    // At once, not through the input: keys typed right after Ctrl-C, in the same
    // chunk, come next and belong to the new line, not to the one cancelled.
    this.#rl.write(null, { ctrl: true, name: "u" });
  }

  /** Keys from the terminal: to readline, unless a Ctrl-R search is taking them. */
  #filter(text: string): void {
    let rest = text;
    while (rest !== "") {
      if (!this.#search) {
        const at = rest.indexOf(CTRL_R);
        if (at < 0 || !this.#input.isRaw) {
          this.#pass(rest);
          return;
        }
        if (at > 0) this.#pass(rest.slice(0, at));
        this.#search = { search: new ReverseSearch(this.#history), original: this.#rl.line };
        this.#draw();
        rest = rest.slice(at + 1);
        continue;
      }
      const [key] = rest;
      const { search, original } = this.#search;
      if (key === CTRL_R) search.older();
      else if (BACKSPACE.has(key)) search.erase();
      else if (key === CTRL_C || key === CTRL_G) {
        this.#search = undefined;
        this.#feed(CLEAR_LINE + original, true);
      } else if (ENTER.test(key) || key < " ") {
        // Enter runs the line found; any other control key (an arrow) edits it.
        this.#search = undefined;
        this.#feed(CLEAR_LINE + (search.view.match ?? original), true);
        if (!ENTER.test(key)) continue; // The key itself goes to readline.
        this.#input.write("\r");
      } else search.type(key);
      if (this.#search) this.#draw();
      rest = rest.slice(key.length);
    }
  }

  /**
   * Keys as typed, to readline, each Tab in a chunk of its own: readline pauses its
   * input while a completion is fetched, but a Tab in the chunk under way would
   * still reach it then, and go into the line as a tab character (Tab Tab, typed
   * quickly to list the names, did that).
   */
  #pass(text: string): void {
    for (const piece of text.split(/(\t)/)) if (piece !== "") this.#input.write(piece);
  }

  /** Shows the search in place of the line, cut to the terminal's width. */
  #draw(): void {
    const width = Math.max(20, (process.stdout.columns || 80) - 1);
    process.stdout.write(`\r\x1b[K${[...this.#search!.search.render()].slice(0, width).join("")}`);
  }

  /** Types `keys` into readline as if the user had. */
  #feed(keys: string, redraw: boolean): void {
    if (redraw) process.stdout.write("\r\x1b[K");
    this.#input.write(keys);
  }
}

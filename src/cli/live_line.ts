/**
 * One line redrawn in place on a terminal beneath what was printed above it: a
 * transfer's progress bar, a batch's line. Shared so that both behave alike: redrawn
 * at most every 100 ms, at once when the terminal's width changes (clearing every
 * row the old line was rewrapped onto), a redraw put off by the limit still drawn
 * (a stalled transfer shows what it has), and a few columns left free for an echoed
 * `^C`. On anything but a terminal it draws nothing.
 *
 * @module
 */

import type { ProgressTarget } from "./io.ts";

/** How often the line is redrawn, at most. */
const REDRAW_MS = 100;

/**
 * Columns left free at the end of the line: the terminal echoes `^C` there when the
 * user cancels, and that must not wrap onto a row the line cannot clear.
 */
const MARGIN = 3;

/**
 * What takes the cursor back to the start of a line `width` columns wide, drawn when
 * the terminal was wider, and clears it. Terminals (tmux, VTE, iTerm2, Windows
 * Terminal) rewrap a line when they narrow, so a line once one row may now be two.
 * Each row is erased alone (never "to the end of the screen"): from the top left
 * corner that would clear the whole screen, which tmux keeps in its scrollback, so
 * every redraw of a bar on the top row would leave a copy there.
 */
export function rewind(width: number, columns: number): string {
  const rows = Math.max(1, Math.ceil(width / Math.max(1, columns)));
  return `\r\x1b[2K${"\x1b[1A\x1b[2K".repeat(rows - 1)}`;
}

/**
 * How many terminal columns `text` takes: East Asian wide characters and emoji take
 * two, combining marks none. Close enough for a progress line; not a full wcwidth.
 */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += charWidth(char.codePointAt(0)!);
  return width;
}

/** The columns one character takes, as {@linkcode displayWidth} counts them. */
export function charWidth(code: number): number {
  if (code >= 0x300 && code <= 0x36f) return 0;
  const wide = (code >= 0x1100 && code <= 0x115f) || (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) || (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe6f) || (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) || (code >= 0x1f300 && code <= 0x1faff) ||
    (code >= 0x20000 && code <= 0x3fffd);
  return wide ? 2 : 1;
}

/** A line on `target` that `render(width)` draws, redrawn in place. */
export class LiveLine {
  #target: ProgressTarget;
  #render: (width: number) => string;
  #columns = 0;
  #stopWatching: (() => void) | undefined;
  #lastDraw = -Infinity;
  /** The redraw put off by the 100 ms limit, if one is due. */
  #later: ReturnType<typeof setTimeout> | undefined;
  /** Columns of the line on screen; 0 for none. */
  #drawnWidth = 0;
  #closed = false;

  constructor(target: ProgressTarget, render: (width: number) => string) {
    this.#target = target;
    this.#render = render;
  }

  /** Redraws the line: at once if `now`, else when the 100 ms limit allows. */
  draw(now = false): void {
    if (!this.#target.isTerminal || this.#closed) return;
    // A resize redraws at once, not at the next update: a stalled transfer too.
    this.#stopWatching ??= this.#target.onResize?.(() => this.#draw(false));
    this.#draw(now);
  }

  /** Takes the line off the screen, for a line to be printed above it; it may come back. */
  clear(): void {
    clearTimeout(this.#later);
    this.#later = undefined;
    if (this.#drawnWidth > 0) this.#target.write(rewind(this.#drawnWidth, this.#target.columns()));
    this.#drawnWidth = 0;
  }

  /** Clears the line for good and stops listening for resizes. */
  close(): void {
    if (this.#closed) return;
    this.clear();
    this.#closed = true;
    this.#stopWatching?.();
  }

  #draw(due: boolean): void {
    const now = performance.now();
    const columns = this.#target.columns();
    const resized = columns !== this.#columns;
    const wait = REDRAW_MS - (now - this.#lastDraw);
    if (!due && !resized && wait > 0) {
      this.#later ??= setTimeout(() => {
        this.#later = undefined;
        this.#draw(true);
      }, wait);
      return;
    }
    clearTimeout(this.#later);
    this.#later = undefined;
    this.#lastDraw = now;
    this.#columns = columns;
    const line = this.#render(Math.max(1, columns - MARGIN));
    const clear = this.#drawnWidth > 0 ? rewind(this.#drawnWidth, columns) : "\r\x1b[K";
    this.#target.write(`${clear}${line}`);
    this.#drawnWidth = displayWidth(line);
  }
}

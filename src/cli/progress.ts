/**
 * What a transfer looks like to a person: a progress bar redrawn in place on a
 * terminal, or one plain summary line per transfer when output is piped. Rendering
 * is pure (`state` in, string out), in the manner of dax's progress bars.
 *
 * @module
 */

import { formatBytes } from "../common/sizes.ts";
import { quote } from "../common/text.ts";
import type { ProgressTarget } from "./io.ts";

/** A transfer in flight. */
export interface ProgressState {
  /** `get` or `put`. */
  verb: string;
  name: string;
  bytes: number;
  total: number;
  elapsedMs: number;
}

/** A finished transfer. */
export interface TransferSummary {
  verb: string;
  name: string;
  bytes: number;
  ms: number;
  verified: boolean;
  /** The digest that verified it (PROTOCOL.md §17). */
  digest: string;
}

/** A rate in bytes per second, e.g. `12.5 MB/s`; `-` when nothing is known yet. */
export function formatRate(bytes: number, ms: number): string {
  return ms > 0 ? `${formatBytes(Math.round(bytes / (ms / 1000)))}/s` : "-";
}

/** Seconds as `m:ss`, or `h:mm:ss` past an hour; `-:--` when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "-:--";
  const total = Math.max(0, Math.round(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor(total / 60) % 60;
  const secs = String(total % 60).padStart(2, "0");
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, "0")}:${secs}` : `${minutes}:${secs}`;
}

/**
 * One line of progress, at most `width` columns:
 * `get "big.bin" [=======>      ]  52%  5.20 MB/10.0 MB  98.1 MB/s  ETA 0:01`.
 */
export function renderProgress(state: ProgressState, width: number): string {
  const fraction = state.total > 0 ? Math.min(1, state.bytes / state.total) : 1;
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const rate = state.bytes / Math.max(state.elapsedMs / 1000, 0.001);
  const eta = `ETA ${formatDuration(rate > 0 ? (state.total - state.bytes) / rate : Infinity)}`;
  const fields = [
    percent,
    `${formatBytes(state.bytes)}/${formatBytes(state.total)}`,
    formatRate(state.bytes, state.elapsedMs),
    eta,
  ];
  const figures = ` ${fields.join("  ")}`;
  const label = `${state.verb} ${quote(state.name)} `;
  const barWidth = width - displayWidth(label) - figures.length - 2;
  if (barWidth < 10) {
    // No room for the bar: drop whole figures from the end (ETA, then the rate, ...)
    // rather than cut one in half, and cut the line only when the name is too long.
    for (let kept = fields.length; kept > 1; kept--) {
      const line = `${label.trimEnd()} ${fields.slice(0, kept).join("  ")}`;
      if (displayWidth(line) <= width) return line;
    }
    return fitWidth(`${label.trimEnd()} ${percent}`, width);
  }
  const filled = Math.floor(fraction * barWidth);
  const bar = "=".repeat(filled) + (filled < barWidth ? ">" : "") +
    " ".repeat(Math.max(0, barWidth - filled - 1));
  return `${label}[${bar}]${figures}`;
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

function charWidth(code: number): number {
  if (code >= 0x300 && code <= 0x36f) return 0;
  const wide = (code >= 0x1100 && code <= 0x115f) || (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) || (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe6f) || (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) || (code >= 0x1f300 && code <= 0x1faff) ||
    (code >= 0x20000 && code <= 0x3fffd);
  return wide ? 2 : 1;
}

/** `text` cut to at most `width` columns. */
function fitWidth(text: string, width: number): string {
  let out = "";
  let used = 0;
  for (const char of text) {
    used += charWidth(char.codePointAt(0)!);
    if (used > width) break;
    out += char;
  }
  return out;
}

/**
 * The line printed when a transfer ends:
 * `get "big.bin": 10.0 MB in 0.10 s (98.1 MB/s), xxh128 verified`.
 */
export function renderSummary(summary: TransferSummary): string {
  const check = summary.verified
    ? `${summary.digest} verified`
    : "not verified: the server sent no checksum";
  return `${summary.verb} ${quote(summary.name)}: ${formatBytes(summary.bytes)} in ${
    (summary.ms / 1000).toFixed(2)
  } s (${formatRate(summary.bytes, summary.ms)}), ${check}`;
}

/**
 * The line printed when a transfer is cancelled:
 * `get "big.bin": cancelled after 5.20 MB of 10.0 MB; nothing was kept`.
 */
export function renderCancelled(state: Omit<ProgressState, "elapsedMs">): string {
  const of = state.total > 0 ? ` of ${formatBytes(state.total)}` : "";
  return `${state.verb} ${quote(state.name)}: cancelled after ${
    formatBytes(state.bytes)
  }${of}; nothing was kept`;
}

/** How often a terminal bar is redrawn, at most. */
const REDRAW_MS = 100;

/**
 * Columns left free at the end of the bar: the terminal echoes `^C` there when the
 * user cancels, and that must not wrap onto a line the bar cannot clear.
 */
const MARGIN = 3;

/**
 * What takes the cursor back to the start of a line `width` columns wide, drawn when
 * the terminal was wider, and clears it. Terminals (tmux, VTE, iTerm2, Windows
 * Terminal) rewrap a line when they narrow, so a line once one row may now be two.
 */
export function rewind(width: number, columns: number): string {
  const rows = Math.max(1, Math.ceil(width / Math.max(1, columns)));
  return `\r${rows > 1 ? `\x1b[${rows - 1}A` : ""}\x1b[J`;
}

/** Tracks one transfer and draws it on `target`. */
export class ProgressBar {
  #target: ProgressTarget;
  #verb: string;
  #name: string;
  #started = performance.now();
  #columns = 0;
  #stopWatching: (() => void) | undefined;
  #lastDraw = -Infinity;
  /** The redraw put off by the 100 ms limit, if one is due. */
  #later: ReturnType<typeof setTimeout> | undefined;
  /** Columns of the line on screen; 0 for none. */
  #drawnWidth = 0;
  #bytes = 0;
  #total = 0;
  #finished = false;

  constructor(target: ProgressTarget, verb: string, name: string) {
    this.#target = target;
    this.#verb = verb;
    this.#name = name;
  }

  /**
   * Records progress; redraws on a terminal at most every 100 ms, and at once when
   * the terminal's width changed, so a resize never leaves pieces of an old bar. A
   * skipped redraw happens later, so a transfer that stalls shows what it has.
   */
  update(bytes: number, total: number): void {
    this.#bytes = bytes;
    this.#total = total;
    if (!this.#target.isTerminal || this.#finished) return;
    // A resize redraws at once, not at the next chunk: a stalled transfer too.
    this.#stopWatching ??= this.#target.onResize?.(() => this.#draw(false));
    this.#draw(false);
  }

  #draw(due: boolean): void {
    const now = performance.now();
    const columns = this.#target.columns();
    const resized = columns !== this.#columns;
    const wait = REDRAW_MS - (now - this.#lastDraw);
    if (!due && !resized && wait > 0 && this.#bytes < this.#total) {
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
    const line = renderProgress({
      verb: this.#verb,
      name: this.#name,
      bytes: this.#bytes,
      total: this.#total,
      elapsedMs: now - this.#started,
    }, Math.max(1, columns - MARGIN));
    this.#target.write(`${this.#clear(columns)}${line}`);
    this.#drawnWidth = displayWidth(line);
  }

  /** Replaces the bar with the summary line (or, on failure, just clears it). Once. */
  finish(summary?: TransferSummary): void {
    if (this.#finished) return;
    this.#finished = true;
    clearTimeout(this.#later);
    this.#stopWatching?.();
    if (this.#drawnWidth > 0) this.#target.write(this.#clear(this.#target.columns()));
    if (summary) this.#target.write(renderSummary(summary) + "\n");
  }

  /** Replaces the bar with the line that says the transfer was cancelled. */
  cancelled(): void {
    if (this.#finished) return;
    this.finish();
    this.#target.write(
      renderCancelled({
        verb: this.#verb,
        name: this.#name,
        bytes: this.#bytes,
        total: this.#total,
      }) + "\n",
    );
  }

  /** Clears the bar on screen, wherever the terminal's rewrapping put it. */
  #clear(columns: number): string {
    return this.#drawnWidth > 0 ? rewind(this.#drawnWidth, columns) : "\r\x1b[K";
  }
}

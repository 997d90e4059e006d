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
  const figures = ` ${percent}  ${formatBytes(state.bytes)}/${formatBytes(state.total)}  ${
    formatRate(state.bytes, state.elapsedMs)
  }  ${eta}`;
  const label = `${state.verb} ${quote(state.name)} `;
  const barWidth = width - displayWidth(label) - figures.length - 2;
  if (barWidth < 10) return fitWidth(label.trimEnd() + figures, width);
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

/** How often a terminal bar is redrawn, at most. */
const REDRAW_MS = 100;

/** Tracks one transfer and draws it on `target`. */
export class ProgressBar {
  #target: ProgressTarget;
  #verb: string;
  #name: string;
  #started = performance.now();
  #lastDraw = -Infinity;
  #drawn = false;
  #finished = false;

  constructor(target: ProgressTarget, verb: string, name: string) {
    this.#target = target;
    this.#verb = verb;
    this.#name = name;
  }

  /** Records progress; redraws on a terminal at most every 100 ms. */
  update(bytes: number, total: number): void {
    if (!this.#target.isTerminal) return;
    const now = performance.now();
    if (now - this.#lastDraw < REDRAW_MS && bytes < total) return;
    this.#lastDraw = now;
    const line = renderProgress({
      verb: this.#verb,
      name: this.#name,
      bytes,
      total,
      elapsedMs: now - this.#started,
    }, this.#target.columns() - 1);
    this.#target.write(`\r\x1b[K${line}`);
    this.#drawn = true;
  }

  /** Replaces the bar with the summary line (or, on failure, just clears it). Once. */
  finish(summary?: TransferSummary): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#drawn) this.#target.write("\r\x1b[K");
    if (summary) this.#target.write(renderSummary(summary) + "\n");
  }
}

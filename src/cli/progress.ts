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
import { charWidth, displayWidth, LiveLine } from "./live_line.ts";

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
  /** Bytes an earlier, cut run had moved, which this one continued from (§19); 0 if none. */
  resumedFrom?: number;
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
  if (barWidth < 10) return withoutBar(label, fields, width);
  const filled = Math.floor(fraction * barWidth);
  const bar = "=".repeat(filled) + (filled < barWidth ? ">" : "") +
    " ".repeat(Math.max(0, barWidth - filled - 1));
  return `${label}[${bar}]${figures}`;
}

/**
 * A progress line with no room for its bar: the label and as many whole figures as
 * fit, dropped from the end (ETA, then the rate, ...) rather than cut in half; cut
 * within a figure only when the label alone is too long.
 */
export function withoutBar(label: string, fields: string[], width: number): string {
  for (let kept = fields.length; kept > 1; kept--) {
    const line = `${label.trimEnd()} ${fields.slice(0, kept).join("  ")}`;
    if (displayWidth(line) <= width) return line;
  }
  return fitWidth(`${label.trimEnd()} ${fields[0]}`, width);
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
 * `get "big.bin": 10.0 MB in 0.10 s (98.1 MB/s), xxh128 verified`. One that continued a
 * cut run says so, and its rate counts only the bytes this run moved:
 * `get "big.bin": 10.0 MB in 0.05 s (98.1 MB/s), continued after the 5.00 MB kept, …`.
 */
export function renderSummary(summary: TransferSummary): string {
  const check = summary.verified
    ? `${summary.digest} verified`
    : "not verified: the server sent no checksum";
  const from = summary.resumedFrom ?? 0;
  const continued = from > 0 ? `, continued after the ${formatBytes(from)} kept` : "";
  return `${summary.verb} ${quote(summary.name)}: ${formatBytes(summary.bytes)} in ${
    (summary.ms / 1000).toFixed(2)
  } s (${formatRate(summary.bytes - from, summary.ms)})${continued}, ${check}`;
}

/**
 * The line printed when a transfer is cancelled:
 * `get "big.bin": cancelled after 5.20 MB of 10.0 MB; nothing was kept`, or, where
 * what arrived is `kept` to continue from, `…; kept: get again continues from it`.
 */
export function renderCancelled(
  state: Omit<ProgressState, "elapsedMs">,
  { kept = false }: { kept?: boolean } = {},
): string {
  const of = state.total > 0 ? ` of ${formatBytes(state.total)}` : "";
  const rest = kept ? `kept: ${state.verb} again continues from it` : "nothing was kept";
  return `${state.verb} ${quote(state.name)}: cancelled after ${
    formatBytes(state.bytes)
  }${of}; ${rest}`;
}

/** Tracks one transfer and draws it on `target`. */
export class ProgressBar {
  #target: ProgressTarget;
  #verb: string;
  #name: string;
  #started = performance.now();
  #line: LiveLine;
  #bytes = 0;
  #total = 0;
  #finished = false;

  constructor(target: ProgressTarget, verb: string, name: string) {
    this.#target = target;
    this.#verb = verb;
    this.#name = name;
    this.#line = new LiveLine(target, (width) =>
      renderProgress({
        verb: this.#verb,
        name: this.#name,
        bytes: this.#bytes,
        total: this.#total,
        elapsedMs: performance.now() - this.#started,
      }, width));
  }

  /**
   * Records progress; redraws on a terminal at most every 100 ms (at once when
   * complete, or when the terminal's width changed, so a resize never leaves pieces
   * of an old bar).
   */
  update(bytes: number, total: number): void {
    this.#bytes = bytes;
    this.#total = total;
    if (!this.#finished) this.#line.draw(bytes >= total);
  }

  /** Replaces the bar with the summary line (or, on failure, just clears it). Once. */
  finish(summary?: TransferSummary): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#line.close();
    if (summary) this.#target.write(renderSummary(summary) + "\n");
  }

  /** Replaces the bar with the line that says the transfer was cancelled (and if `kept`). */
  cancelled(options: { kept?: boolean } = {}): void {
    if (this.#finished) return;
    this.finish();
    this.#target.write(
      renderCancelled({
        verb: this.#verb,
        name: this.#name,
        bytes: this.#bytes,
        total: this.#total,
      }, options) + "\n",
    );
  }
}

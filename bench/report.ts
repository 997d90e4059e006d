/**
 * Figures and how they are shown: each figure keeps its samples (and, for transfers,
 * the CPU seconds per GiB of each run) and summarises them as median, min and max;
 * the table adds each figure's ratios to the figures it is compared with (the raw
 * copy, vsftpd, the baseline checkout). The same figures go to a JSON file.
 *
 * @module
 */

import { dirname } from "node:path";

/** The units figures come in; MB is 10^6 bytes, MiB 2^20. */
export type Unit = "MB/s" | "files/s" | "ms" | "MiB" | "KiB";

/** Whether a bigger number is the better one. */
export function higherIsBetter(unit: Unit): boolean {
  return unit === "MB/s" || unit === "files/s";
}

/** What a figure is, before it has samples. */
export interface FigureSpec {
  /** Stable key, e.g. `ferry.get`. */
  id: string;
  /** The scenario number of bench/README.md, for grouping. */
  scenario: number;
  label: string;
  unit: Unit;
  /** How the ratio column names this figure when others compare with it, e.g. `raw`. */
  tag?: string;
  /** The figures this one's ratios divide by, if they were measured. */
  vs?: string[];
}

/** A maker of one scenario's figure specs, with ids `GROUP.ID`. */
export function figureMaker(
  group: string,
  scenario: number,
  unit: Unit,
): (id: string, label: string, more?: Partial<FigureSpec>) => FigureSpec {
  return (id, label, more = {}) => ({ id: `${group}.${id}`, scenario, label, unit, ...more });
}

/** A measured quantity: one sample per run. */
export interface Figure extends FigureSpec {
  samples: number[];
  median: number;
  min: number;
  max: number;
  /** CPU seconds (client and server processes) per GiB moved, one per run; transfers only. */
  cpuPerGiB?: number[];
  cpuMedian?: number;
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Every figure and note of one benchmark run. */
export class Results {
  readonly figures: Figure[] = [];
  readonly notes: string[] = [];

  /** Records a figure from its samples (at least one) and, for transfers, their CPU cost. */
  add(spec: FigureSpec, samples: number[], cpuPerGiB?: number[]): void {
    if (samples.length === 0) throw new RangeError(`Figure ${spec.id} has no samples`);
    const cpu = cpuPerGiB?.every(Number.isFinite) ? cpuPerGiB : undefined;
    this.figures.push({
      ...spec,
      samples,
      median: median(samples),
      min: Math.min(...samples),
      max: Math.max(...samples),
      cpuPerGiB: cpu,
      cpuMedian: cpu && median(cpu),
    });
  }

  /** Adds a line printed under the table. */
  note(text: string): void {
    this.notes.push(text);
  }

  get(id: string): Figure | undefined {
    return this.figures.find((figure) => figure.id === id);
  }

  /** `figure.median / base.median` for each `vs` figure that was measured. */
  ratios(figure: Figure): { base: Figure; ratio: number }[] {
    return (figure.vs ?? []).flatMap((id) => {
      const base = this.get(id);
      return base && base.median !== 0 ? [{ base, ratio: figure.median / base.median }] : [];
    });
  }

  /** A note comparing two figures' medians and CPU cost, when both were measured. */
  compareNote(id: string, baseId: string, what: string): void {
    const [figure, base] = [this.get(id), this.get(baseId)];
    if (!figure || !base) return;
    const cpu = figure.cpuMedian && base.cpuMedian
      ? `, ${(figure.cpuMedian / base.cpuMedian).toFixed(2)}× the CPU s/GiB`
      : "";
    this.note(`${what}: ${(figure.median / base.median).toFixed(2)}× the ${figure.unit}${cpu}`);
  }
}

/** A target for one figure's ratio to another: at least or at most this much. */
export type Goal = { atLeast: number } | { atMost: number };

/**
 * A note on whether `id`'s median ÷ `baseId`'s meets `goal`, when both were measured:
 * the targets for secure mode, kept in view on every run.
 */
export function goalNote(results: Results, ids: [string, string], what: string, goal: Goal): void {
  const [figure, base] = ids.map((id) => results.get(id));
  if (!figure || !base || base.median === 0) return;
  const ratio = figure.median / base.median;
  const [met, bound] = "atLeast" in goal
    ? [ratio >= goal.atLeast, `≥ ${goal.atLeast}×`]
    : [ratio <= goal.atMost, `≤ ${goal.atMost}×`];
  results.note(`goal: ${what} ${ratio.toFixed(2)}× (goal ${bound}): ${met ? "met" : "missed"}`);
}

/** Rounds for display: 3 significant figures at least, no more than 2 decimals. */
export function formatNumber(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** The results as an aligned text table, then the notes. */
export function formatTable(results: Results): string {
  const header = ["#", "scenario", "median", "min", "max", "unit", "CPU s/GiB", "ratios"];
  const rows = [...results.figures]
    .sort((a, b) => a.scenario - b.scenario)
    .map((figure) => [
      String(figure.scenario),
      figure.label,
      formatNumber(figure.median),
      formatNumber(figure.min),
      formatNumber(figure.max),
      `${figure.unit} ${higherIsBetter(figure.unit) ? "↑" : "↓"}`,
      figure.cpuMedian === undefined ? "-" : formatNumber(figure.cpuMedian),
      results.ratios(figure)
        .map(({ base, ratio }) => `${ratio.toFixed(2)}× ${base.tag ?? base.id}`)
        .join(", ") || "-",
    ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length))
  );
  const numeric = new Set([2, 3, 4, 6]);
  const line = (cells: string[]) =>
    cells.map((cell, column) =>
      numeric.has(column) ? cell.padStart(widths[column]) : cell.padEnd(widths[column])
    ).join("  ").trimEnd();
  const rule = widths.map((width) => "-".repeat(width)).join("  ");
  const notes = results.notes.map((text) => `note: ${text}`);
  return [line(header), rule, ...rows.map(line), "", ...notes].join("\n") + "\n";
}

/** Writes the figures, their ratios, the notes and `meta` as pretty JSON. */
export async function writeJson(
  path: string,
  results: Results,
  meta: Record<string, unknown>,
): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const figures = results.figures.map((figure) => ({
    ...figure,
    ratios: Object.fromEntries(results.ratios(figure).map(({ base, ratio }) => [base.id, ratio])),
  }));
  const body = { meta, figures, notes: results.notes };
  await Deno.writeTextFile(path, JSON.stringify(body, null, 2) + "\n");
}

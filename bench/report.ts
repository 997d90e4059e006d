/**
 * Figures and how they are shown: each figure keeps its samples and summarises them
 * as median, min and max; the table adds each ferry figure's ratio to its raw-loopback
 * baseline and to vsftpd. The same figures go to a JSON file.
 *
 * @module
 */

import { dirname } from "node:path";
import { median } from "./measure.ts";

/** One measured quantity, sampled once per run. */
export interface Figure {
  /** Stable key, e.g. `ferry.get`. */
  id: string;
  /** The scenario number from bench/README.md, for grouping. */
  scenario: number;
  /** What was measured, for people. */
  label: string;
  /** `MB/s`, `files/s`, `ms`, `MiB`, `KiB`. */
  unit: string;
  /** Whether a bigger number is the better one. */
  higherIsBetter: boolean;
  samples: number[];
  median: number;
  min: number;
  max: number;
  /** How the ratio column names this figure when it is another's baseline, e.g. `raw`. */
  tag?: string;
  /** The figure the `ratio` column divides by (a raw-loopback baseline, usually). */
  baseline?: string;
  /** The vsftpd figure the `vs vsftpd` column divides by. */
  vsftpd?: string;
}

/** What {@linkcode Results.add} needs; the summary is computed. */
export type FigureSpec = Omit<Figure, "samples" | "median" | "min" | "max">;

/** Every figure and note of one benchmark run. */
export class Results {
  readonly figures: Figure[] = [];
  readonly notes: string[] = [];

  /** Records a figure from its samples (at least one). */
  add(spec: FigureSpec, samples: number[]): Figure {
    if (samples.length === 0) throw new RangeError(`Figure ${spec.id} has no samples`);
    const figure = {
      ...spec,
      samples,
      median: median(samples),
      min: Math.min(...samples),
      max: Math.max(...samples),
    };
    this.figures.push(figure);
    return figure;
  }

  /** Adds a line printed under the table. */
  note(text: string): void {
    this.notes.push(text);
  }

  get(id: string): Figure | undefined {
    return this.figures.find((figure) => figure.id === id);
  }

  /** `figure.median / other.median`, if both exist. */
  ratio(id: string, otherId: string | undefined): number | undefined {
    const figure = this.get(id);
    const other = otherId === undefined ? undefined : this.get(otherId);
    if (!figure || !other || other.median === 0) return undefined;
    return figure.median / other.median;
  }
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
  const header = ["#", "scenario", "median", "min", "max", "unit", "ratio", "vs vsftpd"];
  const rows = [...results.figures]
    .sort((a, b) => a.scenario - b.scenario)
    .map((figure) => {
      const ratio = results.ratio(figure.id, figure.baseline);
      const vsftpd = results.ratio(figure.id, figure.vsftpd);
      const base = figure.baseline === undefined ? undefined : results.get(figure.baseline);
      const baselineLabel = base?.tag ?? base?.id ?? "";
      return [
        String(figure.scenario),
        figure.label,
        formatNumber(figure.median),
        formatNumber(figure.min),
        formatNumber(figure.max),
        `${figure.unit} ${figure.higherIsBetter ? "↑" : "↓"}`,
        ratio === undefined ? "-" : `${ratio.toFixed(2)}× ${baselineLabel}`,
        vsftpd === undefined ? "-" : `${vsftpd.toFixed(2)}×`,
      ];
    });
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length))
  );
  const numeric = new Set([2, 3, 4]);
  const line = (cells: string[]) =>
    cells.map((cell, column) =>
      numeric.has(column) ? cell.padStart(widths[column]) : cell.padEnd(widths[column])
    ).join("  ").trimEnd();
  const rule = widths.map((width) => "-".repeat(width)).join("  ");
  const notes = results.notes.map((text) => `note: ${text}`);
  return [line(header), rule, ...rows.map(line), "", ...notes].join("\n") + "\n";
}

/** Writes the figures, notes and `meta` as pretty JSON, creating the folder. */
export async function writeJson(
  path: string,
  results: Results,
  meta: Record<string, unknown>,
): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const figures = results.figures.map((figure) => ({
    ...figure,
    ratio: results.ratio(figure.id, figure.baseline) ?? null,
    vsVsftpd: results.ratio(figure.id, figure.vsftpd) ?? null,
  }));
  const body = { meta, figures, notes: results.notes };
  await Deno.writeTextFile(path, JSON.stringify(body, null, 2) + "\n");
}

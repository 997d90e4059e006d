/**
 * The `ferry serve` flags that set {@linkcode Limits}: one table gives each flag's
 * name, unit and help line, and the parser and `--help` are both made from it.
 *
 * @module
 */

import { formatBytes, parseSize } from "../common/sizes.ts";
import { quote } from "../common/text.ts";
import { MAX_FRAMED_SIZE } from "../protocol/payload_decoder.ts";
import { DEFAULT_LIMITS, type Limits } from "../server/limits.ts";

type Unit = "count" | "seconds" | "size";

interface LimitFlag {
  flag: string;
  key: keyof Limits;
  unit: Unit;
  help: string;
}

const FLAGS: readonly LimitFlag[] = [
  { flag: "max-sessions", key: "maxSessions", unit: "count", help: "sessions at once, in all" },
  {
    flag: "max-sessions-per-peer",
    key: "maxSessionsPerPeer",
    unit: "count",
    help: "sessions at once from one address",
  },
  {
    flag: "idle-timeout",
    key: "idleTimeout",
    unit: "seconds",
    help: "close a session idle this long between commands",
  },
  {
    flag: "command-timeout",
    key: "commandTimeout",
    unit: "seconds",
    help: "time to send a whole command once it has started",
  },
  {
    flag: "data-timeout",
    key: "dataAcceptTimeout",
    unit: "seconds",
    help: "time for the client to open a data connection",
  },
  {
    flag: "stall-timeout",
    key: "stallTimeout",
    unit: "seconds",
    help: "end a transfer that moves no byte for this long",
  },
  {
    flag: "max-upload",
    key: "maxUploadBytes",
    unit: "size",
    help: "largest upload accepted, e.g. 500M or 2GiB",
  },
  {
    flag: "min-free",
    key: "minFreeBytes",
    unit: "size",
    help: "refuse uploads that would leave less disk free",
  },
  {
    flag: "resume-ttl",
    key: "resumeTtl",
    unit: "seconds",
    help: "keep an interrupted upload this long for its client to resume",
  },
  {
    flag: "resume-space",
    key: "resumeSpaceBytes",
    unit: "size",
    help: "room for interrupted uploads in all; the oldest go first",
  },
];

/** The `parseArgs` options for the limit flags. */
export function limitFlagOptions(): Record<string, { type: "string" }> {
  return Object.fromEntries(FLAGS.map(({ flag }) => [flag, { type: "string" as const }]));
}

/** Turns the flags given into limits, or returns a one-sentence complaint. */
export function parseLimitFlags(
  values: Record<string, unknown>,
): Partial<Limits> | string {
  const limits: Partial<Limits> = {};
  for (const { flag, key, unit } of FLAGS) {
    const text = values[flag];
    if (typeof text !== "string") continue;
    const value = parseValue(text, unit);
    if (value === undefined) return `--${flag} ${quote(text)} is not ${describeUnit(unit)}`;
    limits[key] = value;
  }
  return limits;
}

/** The help lines for the limit flags, with their defaults. */
export function limitFlagHelp(): string {
  return FLAGS.map(({ flag, key, unit, help }) => {
    const left = `  --${flag} ${unit === "count" ? "N" : unit === "seconds" ? "S" : "SIZE"}`;
    return `${left.padEnd(33)} ${help} (default ${formatDefault(DEFAULT_LIMITS[key], unit)})\n`;
  }).join("");
}

function parseValue(text: string, unit: Unit): number | undefined {
  if (unit === "size") {
    const bytes = parseSize(text);
    return bytes !== undefined && bytes <= MAX_FRAMED_SIZE ? bytes : undefined;
  }
  if (!/^\d+(\.\d+)?$/.test(text)) return undefined;
  const number = Number(text);
  if (unit === "count") return Number.isInteger(number) && number >= 1 ? number : undefined;
  return number > 0 ? number * 1000 : undefined;
}

function describeUnit(unit: Unit): string {
  return unit === "count"
    ? "a whole number of at least 1"
    : unit === "seconds"
    ? "a number of seconds above 0"
    : `a size such as 500M or 2GiB, at most ${MAX_FRAMED_SIZE} bytes`;
}

function formatDefault(value: number, unit: Unit): string {
  if (unit === "seconds") return `${value / 1000} s`;
  if (unit === "size") {
    return value === 0
      ? "0"
      : value === MAX_FRAMED_SIZE
      ? "the protocol's maximum"
      : formatBytes(value);
  }
  return String(value);
}

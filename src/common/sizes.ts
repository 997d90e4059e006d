/**
 * Byte counts as people write and read them: the one parser (`500M`, `2GiB`) and the
 * one formatter (`1.23 MB`) that flags, help texts, progress and the bench share.
 * Plain suffixes count in powers of 1000, as disks and networks do; `Ki`, `Mi`, `Gi`
 * and `Ti` in powers of 1024.
 *
 * @module
 */

const SIZE_UNITS: Record<string, number> = {
  "": 1,
  k: 1e3,
  m: 1e6,
  g: 1e9,
  t: 1e12,
  ki: 2 ** 10,
  mi: 2 ** 20,
  gi: 2 ** 30,
  ti: 2 ** 40,
};

/** Parses a size such as `500M`, `2GiB` or `1048576`; `undefined` if it is not one. */
export function parseSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]i?)?b?$/i.exec(text.trim());
  if (!match) return undefined;
  const bytes = Math.round(Number(match[1]) * SIZE_UNITS[(match[2] ?? "").toLowerCase()]);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

const UNITS = ["B", "KB", "MB", "GB", "TB"];

/** `1234567` as `1.23 MB` (powers of 1000). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  // Move up while the figure would print as 1000 or more (999 999 B is "1.00 MB").
  while (unit < UNITS.length - 1 && (unit === 0 ? value >= 1000 : value >= 999.95)) {
    value /= 1000;
    unit++;
  }
  if (unit === 0) return `${bytes} B`;
  // 9.999 would round up to "10.00": past 9.995, one decimal is enough.
  return `${value.toFixed(value < 9.995 ? 2 : 1)} ${UNITS[unit]}`;
}

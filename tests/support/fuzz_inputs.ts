/**
 * The fuzz test's raw material: a seeded pseudo-random source, and generators of
 * hostile names, command frames and malformed fields. Pure: no sockets, no files.
 *
 * @module
 */

/** FERRY_FUZZ_SEED if set, else a fresh random seed. */
export function fuzzSeed(): number {
  const text = Deno.env.get("FERRY_FUZZ_SEED");
  if (text === undefined) return crypto.getRandomValues(new Uint32Array(1))[0];
  if (!/^\d+$/.test(text) || Number(text) >= 2 ** 32) {
    throw new RangeError(`FERRY_FUZZ_SEED "${text}" is not a whole number below 2^32`);
  }
  return Number(text);
}

/** A seeded pseudo-random source. */
export interface Random {
  next(): number;
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  bytes(n: number): Uint8Array;
}

/** mulberry32: tiny, fast, and good enough to pick inputs. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  function next(): number {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    pick: (items) => items[int(items.length)],
    bytes: (n) => Uint8Array.from({ length: n }, () => int(256)),
  };
}

const NASTY_NAMES: readonly string[] = [
  ...["..", ".", "/", "\\", "../../etc/passwd", "..\\..\\boot.ini", "/etc/passwd", "a/b", ""],
  ...["a\0b", "\x1b[2J", "\x1b]0;pwned\x07", "\x7f", "\u0085", "a\u2028b", "\u202etxt.exe"],
  ...[" ", "  lead", "trail ", "файл.txt", "📁🚢", "x".repeat(256), "é".repeat(128), "CON"],
  ...[".ferry-upload-x", "*?<>|", "%s%n", "$(id)", "'\"", "x".repeat(255)],
];
const VERBS = ["ls", "get", "put", "quit", "LS", "Get", "pUT", "QuIt", "dir", "rm", "", "gett"];

/** Text mixing ASCII, control characters, and BMP and astral code points. */
function randomText(rng: Random, length: number): string {
  const ranges = [[0x20, 0x7e], [0, 0x1f], [0x7f, 0x9f], [0xa0, 0xd7ff], [0x10000, 0x10ffff]];
  let text = "";
  for (let i = 0; i < length; i++) {
    const [low, high] = rng.pick(ranges);
    text += String.fromCodePoint(low + rng.int(high - low + 1));
  }
  return text;
}

/** A name meant to hurt; never one of the well-behaved client's `good-` names. */
function hostileName(rng: Random): string {
  const name = [
    () => rng.pick(NASTY_NAMES),
    () => rng.pick(NASTY_NAMES) + rng.pick(NASTY_NAMES),
    () => randomText(rng, 1 + rng.int(rng.next() < 0.1 ? 400 : 20)),
    () => `fuzz-${rng.int(30)}`,
  ][rng.int(4)]();
  return name.startsWith("good-") ? `x${name}` : name;
}

/** A well-framed command payload: valid, or a verb with garbage after it, or not UTF-8. */
export function hostileCommand(rng: Random): Uint8Array {
  const verb = rng.next() < 0.1 ? randomText(rng, 1 + rng.int(6)) : rng.pick(VERBS);
  const encode = (text: string) => new TextEncoder().encode(text).subarray(0, 4096);
  return rng.pick([
    () => encode(verb),
    () => rng.bytes(1 + rng.int(64)), // Most likely not UTF-8.
    () =>
      Uint8Array.from([...encode(`${verb} `), ...rng.pick([[0xff], [0xc0, 0x80], [0xed, 0xa0]])]),
    () => encode(`${verb} ${"x".repeat(rng.pick([254, 255, 256, 4096]))}`), // Often 4096 bytes.
    () => encode(`${verb}${rng.pick([" ", "  ", "\t", " \0"])}${hostileName(rng)}`),
    () => encode(rng.pick(["ls", "LS", "ls  "])),
    () => encode(`${rng.pick(["get", "GET"])} ${rng.pick(["good-", "fuzz-"])}${rng.int(30)}`),
    () => encode(`${rng.pick(["put", "Put"])} fuzz-${rng.int(rng.next() < 0.5 ? 30 : 1e9)}`),
  ])();
}

/** A 10-byte field that §2.1 forbids: a sign, a space between digits, ten spaces, a letter. */
export function badField(rng: Random): Uint8Array {
  const field = new TextEncoder().encode(String(rng.int(1e9)).padStart(10, "0"));
  const kind = rng.int(4);
  if (kind === 0) field[0] = rng.pick([0x2b, 0x2d]);
  else if (kind === 1) field[1 + rng.int(8)] = 0x20;
  else if (kind === 2) field.fill(0x20);
  else field[rng.int(10)] = rng.pick([0x00, 0x2e, 0x78, 0xff, 0x0a, 0x09]);
  return field;
}

/**
 * Tab at the `ftp>` prompt: the first word completes to a command, later ones to
 * what the command table says each argument is (a name on the server, a local path).
 * Candidates are written the way the line would need them (escaped or inside the
 * quote the user opened), so that `node:readline` can insert them as they are.
 *
 * @module
 */

import { join } from "node:path";
import { scan } from "./tokenize.ts";
import { expandHome } from "./local_paths.ts";

/** What an argument names, for completion. */
export type ArgKind = "remote" | "local";

/** A name and whether it is a folder (folders complete with `/`, files with a space). */
export interface Candidate {
  name: string;
  folder: boolean;
}

/** Where completions come from. */
export interface CompletionSources {
  /** Every command word (names and aliases). */
  commands: readonly string[];
  /**
   * What argument `index` of `command` names (0 is the first; options do not count),
   * if anything completes it.
   */
  argKind(command: string, index: number): ArgKind | undefined;
  /** The options `command` takes (`-r`, `--json`), if any. */
  options(command: string): readonly string[];
  /** The entries of a folder on the server, relative to its current folder (`""` for that one). */
  remote(folder: string): Promise<Candidate[]>;
  /** The entries of a local folder, relative to the local current folder (`""` for that one). */
  local(folder: string): Promise<Candidate[]>;
}

/**
 * Completions for `line` (the text left of the cursor), as `node:readline` takes them:
 * the candidates, and the text at the end of the line they replace.
 */
export async function complete(
  line: string,
  sources: CompletionSources,
): Promise<[string[], string]> {
  const { words, openQuote, betweenWords, comment } = scan(line);
  if (comment || line.trimStart().startsWith("!")) return [[], ""];
  const index = betweenWords ? words.length : words.length - 1;
  const raw = betweenWords ? "" : line.slice(words[index].start);
  const typed = betweenWords ? "" : words[index].text;
  const command = words[0]?.text.toLowerCase() ?? "";
  const { position, optionsEnded } = argumentPosition(words.slice(1, index).map((w) => w.text));
  let found: Candidate[];
  let folder = "";
  let kind: ArgKind | undefined;
  if (index === 0) {
    found = sources.commands.map((name) => ({ name, folder: false }));
  } else if (typed.startsWith("-") && !optionsEnded) {
    found = sources.options(command).map((name) => ({ name, folder: false }));
  } else {
    kind = sources.argKind(command, position);
    if (kind === undefined) return [[], raw];
    folder = typed.slice(0, typed.lastIndexOf("/") + 1);
    found = await (kind === "remote" ? sources.remote(folder) : sources.local(folder));
  }
  const base = typed.slice(folder.length);
  // Local dot files only when asked for, as shells do.
  const hideDots = kind === "local" && !base.startsWith(".");
  const shown = found
    .filter((c) => c.name.startsWith(base) && !(hideDots && c.name.startsWith(".")))
    .map((c) => render(folder + c.name, c.folder, openQuote ?? (raw.startsWith("'") ? "'" : "")))
    .filter((text) => text.startsWith(raw))
    .sort();
  return [shown, raw];
}

/**
 * Which argument the next word is, given the words before it: options do not count
 * (`get -r photos` completes photos as get's first), nor does the `--` that ends them.
 */
function argumentPosition(before: readonly string[]): { position: number; optionsEnded: boolean } {
  let position = 0;
  let optionsEnded = false;
  for (const word of before) {
    if (!optionsEnded && word === "--") optionsEnded = true;
    else if (optionsEnded || !isOption(word)) position++;
  }
  return { position, optionsEnded };
}

/** Whether a word is an option (`-r`, `--json`; `-` alone is standard input or output). */
function isOption(word: string): boolean {
  return word.startsWith("-") && word !== "-";
}

/** A local folder's entries, `~` expanded; none if it cannot be read. */
export async function localEntries(folder: string): Promise<Candidate[]> {
  const entries: Candidate[] = [];
  try {
    for await (const entry of Deno.readDir(expandHome(folder) || ".")) {
      let isFolder = entry.isDirectory;
      if (entry.isSymlink) {
        isFolder = await Deno.stat(join(expandHome(folder) || ".", entry.name))
          .then((info) => info.isDirectory, () => false);
      }
      entries.push({ name: entry.name, folder: isFolder });
      if (entries.length >= 10_000) break; // A huge folder: enough to choose from.
    }
  } catch {
    // Missing or unreadable: nothing to offer.
  }
  return entries;
}

/** `text` as it must be typed: inside the quote the user opened, or with escapes. */
function render(text: string, isFolder: boolean, quote: string): string {
  const suffix = isFolder ? "/" : "";
  const end = isFolder ? "" : " ";
  if (quote === "'") return `'${text}${suffix}${isFolder ? "" : "' "}`;
  if (quote === '"') {
    return `"${text.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}${suffix}${
      isFolder ? "" : '" '
    }`;
  }
  return text.replace(/[ \t"'\\#]/g, "\\$&") + suffix + end;
}

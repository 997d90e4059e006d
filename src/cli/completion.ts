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
  /** What each argument of a command is, if anything completes it. */
  argKinds(command: string): readonly (ArgKind | undefined)[];
  /** The server's names. */
  remote(): Promise<Candidate[]>;
  /** The entries of a local folder (`""` for the current one). */
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
  let found: Candidate[];
  let folder = "";
  if (index === 0) {
    found = sources.commands.map((name) => ({ name, folder: false }));
  } else {
    const kind = sources.argKinds(words[0].text.toLowerCase())[index - 1];
    if (kind === "remote") found = await sources.remote();
    else if (kind === "local") {
      folder = typed.slice(0, typed.lastIndexOf("/") + 1);
      found = await sources.local(folder);
    } else return [[], raw];
  }
  const base = typed.slice(folder.length);
  // Local dot files only when asked for, as shells do.
  const hideDots = index > 0 && sources.argKinds(words[0].text.toLowerCase())[index - 1] ===
      "local" &&
    !base.startsWith(".");
  const shown = found
    .filter((c) => c.name.startsWith(base) && !(hideDots && c.name.startsWith(".")))
    .map((c) => render(folder + c.name, c.folder, openQuote ?? (raw.startsWith("'") ? "'" : "")))
    .filter((text) => text.startsWith(raw))
    .sort();
  return [shown, raw];
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

/**
 * Ctrl-R at the `ftp>` prompt: an incremental search back through the history, as
 * bash and zsh have it. `node:readline` has none, so this is the search itself, pure:
 * keys in, what to show and which line was found out. `line_editor.ts` feeds it.
 *
 * @module
 */

/** What the search has found so far. */
export interface SearchView {
  query: string;
  /** The history line that matches, if any. */
  match: string | undefined;
}

/** One search through `history` (newest first). */
export class ReverseSearch {
  #history: readonly string[];
  #query = "";
  /** Index in the history of the current match; -1 for none. */
  #at = -1;

  constructor(history: readonly string[]) {
    this.#history = history;
  }

  /** The query and its match. */
  get view(): SearchView {
    return { query: this.#query, match: this.#at >= 0 ? this.#history[this.#at] : undefined };
  }

  /** The prompt line: `(reverse-i-search)'get': get notes.txt`. */
  render(): string {
    const { query, match } = this.view;
    const failed = match === undefined && query !== "" ? "failed " : "";
    return `(${failed}reverse-i-search)'${query}': ${match ?? ""}`;
  }

  /** Adds typed text to the query; the match is the newest line from here on that has it. */
  type(text: string): void {
    this.#query += text;
    this.#find(Math.max(this.#at, 0));
  }

  /** Backspace: drops the query's last character and searches again from the newest. */
  erase(): void {
    this.#query = [...this.#query].slice(0, -1).join("");
    this.#find(0);
  }

  /** Ctrl-R again: the next older line that matches (the current one stays if none). */
  older(): void {
    const at = this.#at;
    this.#find(at + 1);
    if (this.#at < 0) this.#at = at;
  }

  #find(from: number): void {
    this.#at = -1;
    if (this.#query === "") return;
    for (let i = from; i < this.#history.length; i++) {
      if (this.#history[i].includes(this.#query)) {
        this.#at = i;
        return;
      }
    }
  }
}

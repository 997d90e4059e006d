/**
 * Making text from a peer safe to show. File names and server messages can hold
 * terminal escape sequences; nothing ferry prints or logs shows them raw.
 *
 * @module
 */

// C0 controls, DEL, C1 controls, the Unicode line/paragraph separators, and the
// bidirectional controls that can make "exe.txt" display as "txt.exe".
// deno-lint-ignore no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/** Replaces every control character with a visible `\uXXXX` escape. */
export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * Double-quotes `text` for a message, escaping quotes, backslashes and control
 * characters. Text longer than `max` characters is cut, with `...` to say so, so
 * that a hostile name cannot blow up a one-sentence message.
 */
export function quote(text: string, max = 200): string {
  const characters = [...text];
  const cut = characters.length > max ? characters.slice(0, max).join("") + "..." : text;
  return `"${printable(cut.replaceAll("\\", "\\\\").replaceAll('"', '\\"'))}"`;
}

/** Whether `text` contains a character {@linkcode printable} would escape. */
export function hasControlCharacter(text: string): boolean {
  UNSAFE.lastIndex = 0;
  const found = UNSAFE.test(text);
  UNSAFE.lastIndex = 0;
  return found;
}

/**
 * The message of a thrown value, without the OS detail Deno appends
 * (`No such file or directory (os error 2): open '/x'` becomes `No such file or directory`).
 */
export function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/ \(os error \d+\)/, "").replace(/: [a-z_]+ '.*'$/, "");
}

/** `host:port`, with brackets around an IPv6 host: `[::1]:2121`. */
export function formatAddress(address: { hostname: string; port: number }): string {
  const host = address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname;
  return `${host}:${address.port}`;
}

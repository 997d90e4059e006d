/**
 * Making text from a peer safe to show. File names and server messages can hold
 * terminal escape sequences, and characters that show as nothing at all (so that
 * `report\u200b.pdf` passes for `report.pdf`); nothing ferry prints or logs shows them
 * raw.
 *
 * @module
 */

// C0 controls, DEL, C1 controls, the Unicode line/paragraph separators, and the
// bidirectional controls that can make "exe.txt" display as "txt.exe": never allowed
// in a name (see hasControlCharacter).
// deno-lint-ignore no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

// What printable() escapes: those, every format character (zero-width spaces and
// joiners, the byte-order mark, tags...), every space but the plain one, and the
// characters that draw nothing (fillers, variation selectors, the braille blank).
const INVISIBLE =
  /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2800\u3164\ufe00-\ufe0f\uffa0\u{e0100}-\u{e01ef}]/gu;

/**
 * Replaces every control, format or invisible character with a visible escape:
 * `\uXXXX`, or `\u{XXXXX}` past U+FFFF.
 */
export function printable(text: string): string {
  return text.replace(INVISIBLE, (c) => {
    const code = c.codePointAt(0)!;
    const hex = code.toString(16);
    return code > 0xffff ? `\\u{${hex}}` : `\\u${hex.padStart(4, "0")}`;
  });
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

/**
 * Whether `text` contains a control character: C0, DEL, C1, a line or paragraph
 * separator, or a bidirectional control (all of which {@linkcode printable} escapes).
 */
export function hasControlCharacter(text: string): boolean {
  UNSAFE.lastIndex = 0;
  const found = UNSAFE.test(text);
  UNSAFE.lastIndex = 0;
  return found;
}

/**
 * The message of a thrown value in words for a user: without the OS detail Deno
 * appends (`No such file or directory (os error 2): open '/x'` becomes `No such file or
 * directory`), and never the runtime's own texts, which speak of its flags and its
 * resources ("run again with the --allow-all flag", "operation canceled").
 */
export function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const permission = PERMISSION.exec(message);
  if (permission || error instanceof Deno.errors.NotCapable) {
    return SYSTEM_PATH.test(permission?.[1] ?? "")
      ? "ferry does not use system paths such as /dev, /proc and /sys"
      : "ferry is not permitted to use it";
  }
  for (const [pattern, words] of RUNTIME_TEXTS) if (pattern.test(message)) return words;
  const errno = NODE_ERRNO.exec(message);
  if (errno && NODE_ERRNO_WORDS[errno[1]]) return NODE_ERRNO_WORDS[errno[1]];
  return message.replace(/ \(os error \d+\)/, "").replace(/: [a-z_]+ '.*'$/, "");
}

/** Deno's permission refusal: `Requires all access to "/proc/x", run again with ...`. */
const PERMISSION = /^Requires \w+ access to "?([^",]*)"?, run again with the --allow-/;
const SYSTEM_PATH = /^\/(dev|proc|sys)(\/|$)/;

/** The runtime's words for a resource that went away under a call, and ferry's. */
const RUNTIME_TEXTS: [RegExp, string][] = [
  [/^operation canceled$|^Interrupted/i, "it was stopped"],
  [/^Bad resource ID$|underlying resource was closed or consumed/i, "it was closed"],
];

/**
 * `node:net` and `node:tls` (secure mode's client) name a socket's failure by its
 * system call and errno, `connect ECONNREFUSED 127.0.0.1:9`, where Deno's own
 * sockets say `Connection refused`: the same words for the same failure, either way.
 */
const NODE_ERRNO = /^(?:connect|read|write|getaddrinfo) (E[A-Z]+)\b/;
const NODE_ERRNO_WORDS: Record<string, string> = {
  ECONNREFUSED: "Connection refused",
  ECONNRESET: "Connection reset by peer",
  ECONNABORTED: "Connection aborted",
  EPIPE: "Broken pipe",
  ETIMEDOUT: "Connection timed out",
  EHOSTUNREACH: "No route to host",
  ENETUNREACH: "Network is unreachable",
  EADDRNOTAVAIL: "Cannot assign requested address",
};

/** `host:port`, with brackets around an IPv6 host: `[::1]:2121`. */
export function formatAddress(address: { hostname: string; port: number }): string {
  const host = address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname;
  return `${host}:${address.port}`;
}

/**
 * What `--help` and `--version` print, for the program and each subcommand.
 *
 * @module
 */

import denoJson from "../../deno.json" with { type: "json" };
import { dialectFlagHelp } from "./dialect_flag.ts";
import { CONNECT_EXIT_CODES } from "./exit_codes.ts";
import { limitFlagHelp } from "./limit_flags.ts";
import { replHelp } from "./repl_commands.ts";

/** ferry's version, from `deno.json`. */
export const VERSION: string = denoJson.version;

/** `ferry --help`. */
export const USAGE_TEXT =
  `ferry ${VERSION}: move files between machines over the simple-FTP protocol

Usage:
  ferry serve [DIR | FILE] [--host H] [--port N] [--read-only] [--plain]
  ferry connect [HOST] [PORT] [--plain] [--fingerprint HEX] [-c COMMAND]...
  ferry --help | --version

Encrypted, with a token and a pinned server identity, unless --plain (the classic
protocol, in the clear, for other implementations of it).

Run "ferry serve --help" or "ferry connect --help" for details.
`;

/** `ferry serve --help`. */
export const SERVE_HELP = `Usage: ferry serve [DIR | FILE] [options]

Share the folder DIR (default: the current folder) with ferry clients, encrypted, or
share just FILE, read-only (the "send this to a colleague" case).
Prints the folder, the address, the server's identity and the command to run on the
other machine (with a new token), then one log line per event on stderr:
  TIME PEER ACTION STATUS NAME BYTES MS DETAIL   (- where a field does not apply)
Stop it with Ctrl-C (or SIGTERM): it accepts no more connections, closes idle sessions,
lets commands under way finish for the grace period, then ends them; Ctrl-C again ends
them at once.

Options:
  --host H                        interface to listen on (default: all, IPv4 and IPv6)
  --port N                        port to listen on; 0 picks a free one (default 2121)
  --read-only                     refuse every upload
  --digest-cache FILE|off         where digests of served files are remembered across
                                  restarts (default: one file per folder under
                                  ~/.local/state/ferry/digests; off: this run only)
  --identity FILE                 the server's identity, made if missing
                                  (default ~/.config/ferry/identity.pem)
  --token-file FILE               the read-write token (default: FERRY_TOKEN, or a new one)
  --read-token-file FILE          the read-only token (default: FERRY_READ_TOKEN, or new)
  --plain                         the classic protocol: no encryption, no token
  --grace S                       on Ctrl-C, let commands under way finish this long
                                  (default 10 s)
  --log-format text|json          one line per event: fields as above, or a JSON object
                                  (default text)
${dialectFlagHelp(33)}${limitFlagHelp()}  -h, --help                      show this help
  -V, --version                   show the version

See SECURITY.md for what these limits defend against.
`;

/** `ferry connect --help`. */
export const CONNECT_HELP = `Usage: ferry connect [HOST] [PORT] [options]
       ferry connect HOST:PORT [options]

Connect to a ferry server (default 127.0.0.1, port 2121). On a terminal, an ftp> prompt.
With stdin piped, or with -c, runs the commands in order and stops at the first failure.

Options:
  -c, --command CMD  run CMD (repeatable), then quit
  --timeout S        give up on any wait for the server (connecting, a reply, a data
                     connection, a byte of a transfer) after this long (default 120 s)
  --verify           fail a transfer the server does not vouch for with a checksum
                     (base-protocol servers and dialects send none); a download is
                     then not kept
  --digest NAME      check transfers with this digest only: sha256, or xxh128
                     (needs a ferry server); default: xxh128 where the server
                     agrees it, else sha256 (PROTOCOL.md §17, SECURITY.md)
  --fingerprint HEX  the server identity to trust (as the server printed it);
                     without it, a known server, or a question on a terminal
  --token-file FILE  read the token from FILE (default: FERRY_TOKEN, or a prompt)
  --known-hosts FILE servers trusted before (default ~/.config/ferry/known_hosts)
  --plain            the classic protocol: no encryption, no token
${dialectFlagHelp(20)}  -h, --help         show this help
  -V, --version      show the version

${replHelp()}
At the ftp> prompt: arrows, Home/End and Ctrl-A/E/K/U/W edit the line; Up/Down and
Ctrl-R search the history (kept in ${"$"}XDG_STATE_HOME/ferry/history, or
~/.local/state/ferry/history); Tab completes commands, options, the server's paths
(from its current folder) and local paths (from the local one); Ctrl-C clears the
line, or cancels the transfer under way (in a batch: that file, and the batch stops);
Ctrl-D or quit leaves.

Exit codes:
${
  CONNECT_EXIT_CODES.map(([code, meaning]) => `  ${String(code).padEnd(4)} ${meaning}\n`).join("")
}`;

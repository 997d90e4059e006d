/**
 * What `--help` and `--version` print, for the program and each subcommand.
 *
 * @module
 */

import denoJson from "../../deno.json" with { type: "json" };
import { CONNECT_EXIT_CODES } from "./exit_codes.ts";
import { limitFlagHelp } from "./limit_flags.ts";
import { replHelp } from "./repl_commands.ts";

/** ferry's version, from `deno.json`. */
export const VERSION: string = denoJson.version;

/** `ferry --help`. */
export const USAGE_TEXT =
  `ferry ${VERSION}: move files between machines over the simple-FTP protocol

Usage:
  ferry serve [DIR] [--host H] [--port N] [--read-only]
  ferry connect [HOST] [PORT] [-c COMMAND]...
  ferry --help | --version

Run "ferry serve --help" or "ferry connect --help" for details.
`;

/** `ferry serve --help`. */
export const SERVE_HELP = `Usage: ferry serve [DIR] [options]

Share the folder DIR (default: the current folder) with ferry clients.
Prints the folder and the address it listens on, then one log line per event on stderr.
Stop it with Ctrl-C.

Options:
  --host H                        interface to listen on (default: all, IPv4 and IPv6)
  --port N                        port to listen on; 0 picks a free one (default 2121)
  --read-only                     refuse every upload
${limitFlagHelp()}  -h, --help                      show this help
  -V, --version                   show the version

See SECURITY.md for what these limits defend against.
`;

/** `ferry connect --help`. */
export const CONNECT_HELP = `Usage: ferry connect [HOST] [PORT] [options]
       ferry connect HOST:PORT [options]

Connect to a ferry server (default 127.0.0.1, port 2121). On a terminal, an ftp> prompt.
With stdin piped, or with -c, runs the commands in order and stops at the first failure.

Options:
  -c, --command CMD     run CMD (repeatable), then quit
  --timeout S           give up when the server is silent this long (default 120 s)
  --plain               the classic protocol, unencrypted, for classic servers
  --fingerprint HEX     the server identity to expect (as "ferry serve" printed it)
  --token-file FILE     read the token from FILE (else FERRY_TOKEN, else a prompt)
  --known-hosts FILE    where trusted identities are kept (default ~/.config/ferry/known_hosts)
  -h, --help            show this help
  -V, --version         show the version

${replHelp()}
At the ftp> prompt: arrows, Home/End and Ctrl-A/E/K/U/W edit the line; Up/Down and
Ctrl-R search the history (kept in ${"$"}XDG_STATE_HOME/ferry/history, or
~/.local/state/ferry/history); Tab completes commands, the server's names and local paths;
Ctrl-C clears the line, or cancels the transfer under way; Ctrl-D or quit leaves.

Exit codes:
${
  CONNECT_EXIT_CODES.map(([code, meaning]) => `  ${String(code).padEnd(4)} ${meaning}\n`).join("")
}`;

/**
 * What `--help` and `--version` print, for the program and each subcommand.
 *
 * @module
 */

import denoJson from "../../deno.json" with { type: "json" };
import { dialectFlagHelp } from "./dialect_flag.ts";
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
  --host H                        interface to listen on (default 0.0.0.0, all IPv4)
  --port N                        port to listen on; 0 picks a free one (default 2121)
  --read-only                     refuse every upload
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
  --timeout S        give up when the server is silent this long (default 120 s)
${dialectFlagHelp(20)}  -h, --help         show this help
  -V, --version      show the version

${replHelp()}
Exit codes: 0 ok, 1 internal error, 2 bad usage, 3 cannot connect,
4 refused by the server, 5 transfer or integrity failure, 6 local file problem,
130 interrupted (Ctrl-C or SIGTERM).
`;

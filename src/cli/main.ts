/**
 * The command line: `ferry serve`, `ferry connect`, `--help` and `--version`. The
 * CLI is the only code that prints, reads stdin or waits for Ctrl-C; `main()`
 * returns an exit code instead of exiting, so it can be tested in-process.
 *
 * @module
 */

import { quote } from "../common/text.ts";
import { OK, USAGE } from "./exit_codes.ts";
import { USAGE_TEXT, VERSION } from "./help.ts";
import { type CliIo, defaultIo } from "./io.ts";

/** Runs ferry with `args` (without the program name) and returns the exit code. */
export async function main(args: string[], io: CliIo = defaultIo()): Promise<number> {
  const [subcommand, ...rest] = args;
  switch (subcommand) {
    case "serve":
      // Each subcommand loads only its own side: a server never loads the client.
      return await (await import("./serve.ts")).serve(rest, io);
    case "connect":
      return await (await import("./connect.ts")).connectCommand(rest, io);
    case "-V":
    case "--version":
      io.stdout.write(`ferry ${VERSION}\n`);
      return OK;
    case "-h":
    case "--help":
    case "help":
      io.stdout.write(USAGE_TEXT);
      return OK;
    case undefined:
      io.stderr.write(USAGE_TEXT);
      return USAGE;
    default:
      io.stderr.write(`ferry: Unknown command ${quote(subcommand)}\n\n${USAGE_TEXT}`);
      return USAGE;
  }
}

/**
 * `ferry serve`: share a folder until Ctrl-C.
 *
 * @module
 */

import { RefusalError } from "../common/errors.ts";
import { describeError, formatAddress, printable, quote } from "../common/text.ts";
import { startServer } from "../server/server.ts";
import { COMMON_OPTIONS, parseOrUsage, parsePort, usageError } from "./args.ts";
import { CANNOT_LISTEN, OK } from "./exit_codes.ts";
import { SERVE_HELP, VERSION } from "./help.ts";
import { type CliIo, untilAborted } from "./io.ts";
import { limitFlagOptions, parseLimitFlags } from "./limit_flags.ts";
import { formatEvent } from "./log_format.ts";

/** Runs `ferry serve ARGS`; returns the exit code. */
export async function serve(args: string[], io: CliIo): Promise<number> {
  const parsed = parseOrUsage(io, "serve", {
    args,
    options: {
      host: { type: "string", default: "0.0.0.0" },
      port: { type: "string", default: "2121" },
      "read-only": { type: "boolean", default: false },
      ...limitFlagOptions(),
      ...COMMON_OPTIONS,
    },
    allowPositionals: true,
  });
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  if (values.help) return print(io, SERVE_HELP);
  if (values.version) return print(io, `ferry ${VERSION}\n`);
  const port = parsePort(values.port, 0);
  const limits = parseLimitFlags(values);
  if (typeof limits === "string") return usageError(io, "serve", limits);
  if (values.host.trim() === "") return usageError(io, "serve", "--host is empty");
  if (port === undefined) {
    return usageError(io, "serve", `Port ${quote(values.port)} is not a number from 0 to 65535`);
  }
  if (positionals.length > 1) {
    return usageError(io, "serve", `Expected one folder, got ${positionals.length}`);
  }
  // Listen for Ctrl-C before starting: one that arrives during start-up still counts.
  const stopped = untilAborted(io.stopSignal);
  let server;
  try {
    server = await startServer({
      root: positionals[0] ?? ".",
      hostname: values.host,
      port,
      readOnly: values["read-only"],
      limits,
      log: (event) => io.stderr.write(formatEvent(event) + "\n"),
    });
  } catch (error) {
    // A folder that cannot be served is the user's to fix; a port that cannot be had
    // is the machine's.
    if (error instanceof RefusalError) return usageError(io, "serve", error.message);
    io.stderr.write(`ferry: ${describeListenError(error, `${values.host}:${port}`)}\n`);
    return CANNOT_LISTEN;
  }
  const mode = server.store.readOnly ? " (read-only)" : "";
  io.stdout.write(
    `ferry: serving ${quote(server.store.root)}${mode} on ${formatAddress(server.addr)}\n`,
  );
  for (const name of server.removedStaleUploads) {
    io.stderr.write(`ferry: removed ${quote(name)}, left by an upload a crash cut short\n`);
  }
  await Promise.race([stopped, server.finished]);
  await server.shutdown();
  io.stderr.write("ferry: stopped\n");
  return OK;
}

function print(io: CliIo, text: string): number {
  io.stdout.write(text);
  return OK;
}

function describeListenError(error: unknown, address: string): string {
  const reason = error instanceof Deno.errors.AddrInUse
    ? "the port is in use (try --port 0 for a free one)"
    : error instanceof Deno.errors.AddrNotAvailable
    ? "no such address on this machine"
    : describeError(error);
  return `Cannot listen on ${printable(address)}: ${printable(reason)}`;
}

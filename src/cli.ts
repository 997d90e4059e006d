/**
 * The command line: `ferry serve` and `ferry connect`, their help and their exit
 * codes. The only module that prints, reads stdin or waits for Ctrl-C; `main()`
 * returns an exit code instead of exiting, so it can be tested in-process.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { connect } from "./client_session.ts";
import { CANNOT_LISTEN, exitCodeFor, INTERRUPTED, OK, USAGE } from "./exit_codes.ts";
import { RefusalError } from "./errors.ts";
import { formatAddress } from "./server_session.ts";
import type { ProgressTarget } from "./progress.ts";
import { describeFailure, type Output, runRepl } from "./repl.ts";
import { CONNECT_HELP, SERVE_HELP, USAGE_TEXT, VERSION } from "./help.ts";
import { startServer } from "./server.ts";
import { limitFlagOptions, parseLimitFlags } from "./limit_flags.ts";
import type { SessionEvent } from "./server_session.ts";
import { describeError, printable, quote } from "./text.ts";

/** Where the CLI reads and writes; {@linkcode defaultIo} is the real terminal. */
export interface CliIo {
  stdin: ReadableStream<Uint8Array>;
  stdinIsTerminal: boolean;
  stdout: Output;
  stderr: ProgressTarget;
  /** Aborts when the user asks a running server to stop (Ctrl-C, SIGTERM). */
  stopSignal: AbortSignal;
}

/** Runs ferry with `args` (without the program name) and returns the exit code. */
export async function main(args: string[], io: CliIo = defaultIo()): Promise<number> {
  const [subcommand, ...rest] = args;
  switch (subcommand) {
    case "serve":
      return await serve(rest, io);
    case "connect":
      return await connectCommand(rest, io);
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

async function serve(args: string[], io: CliIo): Promise<number> {
  const parsed = parseOrUsage(io, "serve", () =>
    parseArgs({
      args,
      options: {
        host: { type: "string", default: "0.0.0.0" },
        port: { type: "string", default: "2121" },
        "read-only": { type: "boolean", default: false },
        ...limitFlagOptions(),
        ...COMMON_OPTIONS,
      },
      allowPositionals: true,
    }));
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  if (values.help) return print(io, SERVE_HELP);
  if (values.version) return print(io, `ferry ${VERSION}\n`);
  const port = parsePort(values.port, 0);
  const limits = parseLimitFlags(values);
  if (typeof limits === "string") return usageError(io, "serve", limits);
  if (values.host.trim() === "") return usageError(io, "serve", "--host is empty");
  if (positionals.length > 1 || port === undefined) {
    return usageError(
      io,
      "serve",
      port === undefined
        ? `Port ${quote(values.port)} is not a number from 0 to 65535`
        : `Expected one folder, got ${positionals.length}`,
    );
  }
  // Listen for Ctrl-C before starting: one that arrives during start-up still counts.
  const stopped = untilStopped(io.stopSignal);
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

async function connectCommand(args: string[], io: CliIo): Promise<number> {
  const parsed = parseOrUsage(io, "connect", () =>
    parseArgs({
      args,
      options: {
        command: { type: "string", short: "c", multiple: true },
        timeout: { type: "string", default: "120" },
        ...COMMON_OPTIONS,
      },
      allowPositionals: true,
    }));
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  if (values.help) return print(io, CONNECT_HELP);
  if (values.version) return print(io, `ferry ${VERSION}\n`);
  const target = parseTarget(positionals);
  if (typeof target === "string") return usageError(io, "connect", target);
  const timeout = Number(values.timeout);
  if (!/^\d+(\.\d+)?$/.test(values.timeout) || !(timeout > 0)) {
    return usageError(
      io,
      "connect",
      `--timeout ${quote(values.timeout)} is not a number of seconds above 0`,
    );
  }
  let client;
  try {
    client = await connect({ ...target, timeout: timeout * 1000, signal: io.stopSignal });
  } catch (error) {
    if (io.stopSignal.aborted) {
      io.stderr.write("ferry: Interrupted\n");
      return INTERRUPTED;
    }
    io.stderr.write(`ferry: ${describeFailure(error)}\n`);
    return exitCodeFor(error);
  }
  const scripted = values.command;
  const interactive = !scripted && io.stdinIsTerminal;
  if (interactive) {
    io.stdout.write(`Connected to ${target.hostname}:${target.port}. Type help for commands.\n`);
  }
  // Ctrl-C or SIGTERM: end the transfer under way (nothing partial stays) and leave.
  const interrupt = () => client.close();
  io.stopSignal.addEventListener("abort", interrupt, { once: true });
  try {
    return await runRepl(scripted ? toAsync(scripted) : readLines(io.stdin), {
      client,
      stdout: io.stdout,
      stderr: io.stderr,
      interactive,
      signal: io.stopSignal,
    });
  } finally {
    io.stopSignal.removeEventListener("abort", interrupt);
  }
}

const COMMON_OPTIONS = {
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
} as const;

/** Runs `parse`, turning a bad option into a usage message and exit code. */
function parseOrUsage<T>(io: CliIo, name: string, parse: () => T): T | number {
  try {
    return parse();
  } catch (error) {
    // node:util's messages run on with advice about "--"; the first sentence is enough.
    return usageError(
      io,
      name,
      describeError(error).split("\n")[0].split(". ")[0].replace(/\.$/, ""),
    );
  }
}

function usageError(io: CliIo, name: string, message: string): number {
  io.stderr.write(`ferry ${name}: ${printable(message)}\nTry "ferry ${name} --help".\n`);
  return USAGE;
}

function print(io: CliIo, text: string): number {
  io.stdout.write(text);
  return OK;
}

/** A port number within `min`..65535, or `undefined`. */
function parsePort(text: string, min: number): number | undefined {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  return port >= min && port <= 65535 ? port : undefined;
}

/** `[]`, `[HOST]`, `[HOST, PORT]` or `[HOST:PORT]` (IPv6 as `[::1]:PORT`). */
export function parseTarget(words: string[]): { hostname: string; port: number } | string {
  if (words.length > 2) return `Expected HOST and PORT, got ${words.length} arguments`;
  let [host = "127.0.0.1", portText = "2121"] = words;
  const bracketed = /^\[(.+)\](?::(.*))?$/.exec(host);
  if (bracketed) {
    host = bracketed[1];
    if (bracketed[2] !== undefined && words.length === 1) portText = bracketed[2];
  } else if (words.length === 1 && host.split(":").length === 2) {
    [host, portText] = host.split(":");
  }
  const port = parsePort(portText, 1);
  if (port === undefined) return `Port ${quote(portText)} is not a number from 1 to 65535`;
  if (host === "") return "Host is empty";
  return { hostname: host, port };
}

/** One log line: time, peer, action, name, bytes, duration, result. */
export function formatEvent(event: SessionEvent, now = new Date()): string {
  const parts = [now.toISOString(), event.peer, event.action];
  if (event.name !== undefined) parts.push(quote(event.name));
  if (event.bytes !== undefined) parts.push(`${event.bytes} B`);
  if (event.ms !== undefined) parts.push(`${event.ms} ms`);
  parts.push(printable(event.result));
  const stack = event.error instanceof Error && event.error.stack ? `\n${event.error.stack}` : "";
  return parts.join(" ") + stack;
}

function describeListenError(error: unknown, address: string): string {
  const reason = error instanceof Deno.errors.AddrInUse
    ? "the port is in use (try --port 0 for a free one)"
    : error instanceof Deno.errors.AddrNotAvailable
    ? "no such address on this machine"
    : describeError(error);
  return `Cannot listen on ${printable(address)}: ${printable(reason)}`;
}

/** Settles once `signal` aborts, even if it already has. */
function untilStopped(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

async function* toAsync(lines: string[]): AsyncIterable<string> {
  yield* lines;
}

/** Splits a byte stream into lines, without the `\n` or `\r\n`. */
export async function* readLines(stream: ReadableStream<Uint8Array>): AsyncIterable<string> {
  let pending = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    const lines = (pending + text).split("\n");
    pending = lines.pop()!;
    for (const line of lines) yield line.endsWith("\r") ? line.slice(0, -1) : line;
  }
  if (pending !== "") yield pending;
}

/** The real terminal: Deno's stdin/stdout/stderr, and Ctrl-C/SIGTERM as the stop signal. */
export function defaultIo(): CliIo {
  const encoder = new TextEncoder();
  const writer = (file: typeof Deno.stdout) => (text: string) => {
    const bytes = encoder.encode(text);
    for (let offset = 0; offset < bytes.byteLength;) {
      offset += file.writeSync(bytes.subarray(offset));
    }
  };
  const stop = new AbortController();
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const signal of signals) Deno.addSignalListener(signal, () => stop.abort());
  return {
    stdin: Deno.stdin.readable,
    stdinIsTerminal: Deno.stdin.isTerminal(),
    stdout: { write: writer(Deno.stdout) },
    stderr: {
      write: writer(Deno.stderr),
      isTerminal: Deno.stderr.isTerminal(),
      columns: () => Deno.stderr.isTerminal() ? Deno.consoleSize().columns : 80,
    },
    stopSignal: stop.signal,
  };
}

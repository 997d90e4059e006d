/**
 * Where the CLI reads and writes: the real terminal, or whatever a test gives it.
 *
 * @module
 */

import { processEnv } from "../common/places.ts";

/** Somewhere to write text. */
export interface Output {
  write(text: string): void;
  /** Writes bytes as they are (`get NAME -`); absent where only text goes. */
  writeBytes?(bytes: Uint8Array): Promise<void>;
  /** Whether a person reads it on a terminal (sizes in units then); default: no. */
  isTerminal?: boolean;
}

/** Where progress goes: a terminal gets a redrawn bar, anything else only summaries. */
export interface ProgressTarget extends Output {
  isTerminal: boolean;
  columns(): number;
  /** Calls `listener` when the terminal is resized, until the returned function is called. */
  onResize?(listener: () => void): () => void;
}

/** The CLI's streams and stop signal; {@linkcode defaultIo} is the real terminal. */
export interface CliIo {
  stdin: ReadableStream<Uint8Array>;
  stdinIsTerminal: boolean;
  stdout: Output;
  stderr: ProgressTarget;
  /** Aborts when the user asks ferry to stop (Ctrl-C, SIGTERM). */
  stopSignal: AbortSignal;
  /**
   * Sends Ctrl-C to `handler` instead of {@linkcode stopSignal} until the returned
   * function is called (SIGTERM still stops): at the prompt, Ctrl-C cancels a command.
   */
  trapInterrupt?(handler: () => void): () => void;
  /**
   * Asks on the terminal and returns the line typed (without echoing it if `secret`);
   * `undefined` at end of input or Ctrl-C. Used only when `stdinIsTerminal`.
   */
  ask(question: string, options?: { secret?: boolean }): Promise<string | undefined>;
  /** Reads an environment variable; `undefined` if unset (or not permitted). */
  env(name: string): string | undefined;
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
  let trap: (() => void) | undefined;
  Deno.addSignalListener("SIGINT", () => trap ? trap() : stop.abort());
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", () => stop.abort());
  const stderr = writer(Deno.stderr);
  return {
    stdin: Deno.stdin.readable,
    stdinIsTerminal: Deno.stdin.isTerminal(),
    ask: (question, options) => {
      stderr(question);
      return askTerminal(options?.secret ?? false).finally(() => {
        if (options?.secret) stderr("\n");
      });
    },
    env: processEnv,
    stdout: {
      write: writer(Deno.stdout),
      isTerminal: Deno.stdout.isTerminal(),
      writeBytes: async (bytes) => {
        for (let offset = 0; offset < bytes.byteLength;) {
          offset += await Deno.stdout.write(bytes.subarray(offset));
        }
      },
    },
    stderr: {
      write: stderr,
      isTerminal: Deno.stderr.isTerminal(),
      columns: () => Deno.stderr.isTerminal() ? Deno.consoleSize().columns : 80,
      onResize(listener) {
        if (Deno.build.os === "windows") return () => {};
        Deno.addSignalListener("SIGWINCH", listener);
        return () => Deno.removeSignalListener("SIGWINCH", listener);
      },
    },
    stopSignal: stop.signal,
    trapInterrupt(handler) {
      trap = handler;
      return () => void (trap === handler && (trap = undefined));
    },
  };
}

const CTRL_C = 0x03;
const CTRL_D = 0x04;
const BACKSPACE = 0x08;
const DELETE = 0x7f;

/**
 * Reads one line from the terminal, a byte at a time (so nothing past the line is
 * taken from the `ftp>` loop that reads stdin next). A secret is read in raw mode,
 * unechoed, with backspace, Ctrl-C and Ctrl-D handled here.
 */
async function askTerminal(secret: boolean): Promise<string | undefined> {
  const bytes: number[] = [];
  const byte = new Uint8Array(1);
  if (secret) Deno.stdin.setRaw(true);
  try {
    while (true) {
      const n = await Deno.stdin.read(byte);
      if (n === null) return bytes.length > 0 ? decode(bytes) : undefined;
      const b = byte[0];
      if (b === 0x0a || b === 0x0d) return decode(bytes);
      if (secret && (b === CTRL_C || (b === CTRL_D && bytes.length === 0))) return undefined;
      if (secret && (b === DELETE || b === BACKSPACE)) bytes.pop();
      else bytes.push(b);
    }
  } finally {
    if (secret) Deno.stdin.setRaw(false);
  }
}

function decode(bytes: number[]): string {
  return new TextDecoder().decode(new Uint8Array(bytes));
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

/** Settles once `signal` aborts, even if it already has. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

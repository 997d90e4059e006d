/**
 * Where the CLI reads and writes: the real terminal, or whatever a test gives it.
 *
 * @module
 */

/** Somewhere to write text. */
export interface Output {
  write(text: string): void;
}

/** Where progress goes: a terminal gets a redrawn bar, anything else only summaries. */
export interface ProgressTarget extends Output {
  isTerminal: boolean;
  columns(): number;
}

/** The CLI's streams and stop signal; {@linkcode defaultIo} is the real terminal. */
export interface CliIo {
  stdin: ReadableStream<Uint8Array>;
  stdinIsTerminal: boolean;
  stdout: Output;
  stderr: ProgressTarget;
  /** Aborts when the user asks ferry to stop (Ctrl-C, SIGTERM). */
  stopSignal: AbortSignal;
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

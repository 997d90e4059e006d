/**
 * `ferry connect`: the `ftp>` prompt, or a script of commands.
 *
 * @module
 */

import { connect } from "../client/connect.ts";
import { loadResumeSecret } from "../client/resume_keys.ts";
import { DIGEST_NAMES, isDigestName } from "../common/digest.ts";
import { formatAddress, quote } from "../common/text.ts";
import { COMMON_OPTIONS, parseOrUsage, parseTarget, usageError } from "./args.ts";
import { describeFailure } from "./describe.ts";
import { exitCodeFor, INTERRUPTED, OK } from "./exit_codes.ts";
import { CONNECT_HELP, VERSION } from "./help.ts";
import { type CliIo, readLines } from "./io.ts";
import { runRepl } from "./repl.ts";
import { secureSetup } from "./secure_setup.ts";
import { DIALECT_OPTION, parseDialectFlag } from "./dialect_flag.ts";

/** Runs `ferry connect ARGS`; returns the exit code. */
export async function connectCommand(args: string[], io: CliIo): Promise<number> {
  const parsed = parseOrUsage(io, "connect", {
    args,
    options: {
      command: { type: "string", short: "c", multiple: true },
      timeout: { type: "string", default: "120" },
      verify: { type: "boolean", default: false },
      digest: { type: "string" },
      plain: { type: "boolean", default: false },
      fingerprint: { type: "string" },
      "token-file": { type: "string" },
      "known-hosts": { type: "string" },
      ...DIALECT_OPTION,
      ...COMMON_OPTIONS,
    },
    allowPositionals: true,
  });
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
  const dialect = parseDialectFlag(values.dialect, values.plain);
  if (typeof dialect === "string") return usageError(io, "connect", dialect);
  const digest = values.digest;
  if (digest !== undefined && !isDigestName(digest)) {
    return usageError(
      io,
      "connect",
      `Unknown digest ${quote(digest)}: expected ${DIGEST_NAMES.join(" or ")}`,
    );
  }
  const address = formatAddress(target);
  const secure = values.plain ? undefined : secureSetup(io, values, address);
  if (typeof secure === "string") return usageError(io, "connect", secure);
  if (values.plain && (values.fingerprint !== undefined || values["token-file"] !== undefined)) {
    return usageError(io, "connect", "--plain has no identity or token to check");
  }
  const scripted = values.command;
  const interactive = !scripted && io.stdinIsTerminal;
  let client;
  try {
    client = await connect({
      ...target,
      timeout: timeout * 1000,
      signal: io.stopSignal,
      secure,
      verify: values.verify,
      dialect,
      // Without it an upload still resumes within this run, just not in the next one.
      resumeSecret: await loadResumeSecret().catch(() => undefined),
      digest,
      // Classic mode: tell a stranger (SSH, SMTP, an HTTP server) apart at once, not
      // after the whole timeout. See README "connect" for why these two.
      listenFirst: interactive ? LISTEN_FIRST_MS : 0,
      firstReply: FIRST_REPLY_MS,
    });
  } catch (error) {
    if (io.stopSignal.aborted) {
      io.stderr.write("ferry: Interrupted\n");
      return INTERRUPTED;
    }
    io.stderr.write(`ferry: ${describeFailure(error)}\n`);
    return exitCodeFor(error);
  }
  if (interactive) {
    const how = secure ? "encrypted" : "classic protocol, not encrypted";
    io.stdout.write(`Connected to ${address} (${how}). Type help for commands.\n`);
  }
  // SIGTERM, or Ctrl-C in a script: end the transfer under way and leave (nothing partial
  // appears under a name; a download keeps its hidden partial file, and where `resume` was
  // agreed an upload its bytes on the server, for the same command to continue). At the
  // prompt, Ctrl-C cancels only the command under way.
  const interrupt = () => client.close();
  io.stopSignal.addEventListener("abort", interrupt, { once: true });
  // The prompt (node:readline and its kin) is loaded only for a person at a terminal:
  // a script's start-up does not pay for it.
  await using prompt = interactive
    ? await (await import("./prompt.ts")).openPrompt(client, io)
    : undefined;
  const stdoutBytes = io.stdout.writeBytes &&
    { write: (chunk: Uint8Array) => io.stdout.writeBytes!(chunk) };
  try {
    return await runRepl(prompt?.lines ?? (scripted ? toAsync(scripted) : readLines(io.stdin)), {
      client,
      stdout: io.stdout,
      stderr: io.stderr,
      interactive,
      signal: io.stopSignal,
      trapInterrupt: interactive ? io.trapInterrupt?.bind(io) : undefined,
      names: prompt?.names,
      runLocal: prompt?.runLocal,
      stdoutBytes,
      // Only -c leaves standard input free for `put - NAME`.
      stdin: scripted ? io.stdin : undefined,
    });
  } finally {
    io.stopSignal.removeEventListener("abort", interrupt);
  }
}

/** How long an interactive classic connect listens for a server that speaks first. */
const LISTEN_FIRST_MS = 300;
/** How long a classic server may take over its first reply before it counts as a stranger. */
const FIRST_REPLY_MS = 3_000;

function print(io: CliIo, text: string): number {
  io.stdout.write(text);
  return OK;
}

async function* toAsync(lines: string[]): AsyncIterable<string> {
  yield* lines;
}

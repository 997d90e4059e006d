/**
 * `ferry serve`: share a folder (or one file, read-only) until Ctrl-C.
 *
 * @module
 */

import { join } from "node:path";
import { LocalFileError, RefusalError } from "../common/errors.ts";
import { describeError, formatAddress, printable, quote } from "../common/text.ts";
import { startServer } from "../server/server.ts";
import { COMMON_OPTIONS, parseOrUsage, parsePort, usageError } from "./args.ts";
import { CANNOT_LISTEN, OK } from "./exit_codes.ts";
import type { SessionEvent } from "../server/log.ts";
import { SERVE_HELP, VERSION } from "./help.ts";
import { type CliIo, untilAborted } from "./io.ts";
import { limitFlagOptions, parseLimitFlags } from "./limit_flags.ts";
import { formatEvent, LOG_FORMATS, type LogFormat } from "./log_format.ts";
import { formatBanner } from "./banner.ts";
import { serveSecure } from "./serve_secure.ts";
import { DIALECT_OPTION, parseDialectFlag } from "./dialect_flag.ts";
import { DIGEST_CACHE_OPTION, digestCacheFile } from "./digest_cache_flag.ts";
import { DigestCache } from "../server/digest_cache.ts";

/** Runs `ferry serve ARGS`; returns the exit code. */
export async function serve(args: string[], io: CliIo): Promise<number> {
  const parsed = parseOrUsage(io, "serve", {
    args,
    options: {
      host: { type: "string" },
      port: { type: "string", default: "2121" },
      "read-only": { type: "boolean", default: false },
      plain: { type: "boolean", default: false },
      identity: { type: "string" },
      "token-file": { type: "string" },
      "read-token-file": { type: "string" },
      grace: { type: "string", default: "10" },
      "log-format": { type: "string", default: "text" },
      ...DIALECT_OPTION,
      ...DIGEST_CACHE_OPTION,
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
  if (values.host?.trim() === "") return usageError(io, "serve", "--host is empty");
  if (port === undefined) {
    return usageError(io, "serve", `Port ${quote(values.port)} is not a number from 0 to 65535`);
  }
  if (positionals.length > 1) {
    return usageError(io, "serve", `Expected one folder or file, got ${positionals.length}`);
  }
  const grace = Number(values.grace);
  if (!/^\d+(\.\d+)?$/.test(values.grace)) {
    return usageError(io, "serve", `--grace ${quote(values.grace)} is not a number of seconds`);
  }
  const format = LOG_FORMATS.find((name) => name === values["log-format"]);
  if (!format) {
    return usageError(
      io,
      "serve",
      `--log-format ${quote(values["log-format"])} is not one of ${LOG_FORMATS.join(", ")}`,
    );
  }
  const log = eventLog(io, format);
  const plainOnly = ["identity", "token-file", "read-token-file"].find((flag) =>
    values[flag as "identity"] !== undefined
  );
  if (values.plain && plainOnly) {
    return usageError(io, "serve", `--plain has no identity or tokens: drop --${plainOnly}`);
  }
  const dialect = parseDialectFlag(values.dialect, values.plain);
  if (typeof dialect === "string") return usageError(io, "serve", dialect);
  // The client's `!COMMAND` is why ferry may run programs; a server never needs to.
  Deno.permissions.revokeSync({ name: "run" });
  // Listen for Ctrl-C before starting: one that arrives during start-up still counts.
  const stopped = untilAborted(io.stopSignal);
  let server;
  let secure;
  try {
    secure = values.plain ? undefined : await serveSecure(io, values);
    const root = positionals[0] ?? ".";
    const cacheFile = await digestCacheFile(values["digest-cache"], root);
    server = await startServer({
      root,
      digests: await DigestCache.open({ file: cacheFile }),
      hostname: values.host,
      port,
      readOnly: values["read-only"],
      limits,
      secure: secure?.options,
      dialect,
      log,
    });
  } catch (error) {
    // A folder that cannot be served is the user's to fix; a port that cannot be had
    // is the machine's.
    if (error instanceof RefusalError || error instanceof LocalFileError) {
      return usageError(io, "serve", error.message);
    }
    const where = values.host === undefined
      ? `port ${port}`
      : formatAddress({ hostname: values.host, port });
    io.stderr.write(`ferry: ${describeListenError(error, where)}\n`);
    return CANNOT_LISTEN;
  }
  const { store } = server;
  io.stdout.write(formatBanner({
    root: store.only === undefined ? store.root : join(store.root, store.only),
    oneFile: store.only !== undefined,
    listening: server.addr,
    reachAs: reachableAddress(server.addr),
    readOnly: store.readOnly,
    dialect: dialect.name,
    secure: secure?.banner,
  }));
  for (const name of server.strandedMoves) {
    io.stderr.write(
      `ferry: ${
        quote(name)
      } is a file a crash left in the middle of a rename or removal; it was kept\n`,
    );
  }
  for (const name of server.removedStaleUploads) {
    log({ peer: "-", action: "cleanup", name, result: "ok: left by an upload a crash cut short" });
  }
  await Promise.race([stopped, server.finished]);
  // Ctrl-C (or SIGTERM) again ends the transfers still under way at once.
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  const again = () => void server.shutdown();
  for (const signal of signals) Deno.addSignalListener(signal, again);
  try {
    const stopping = server.shutdown({ grace: grace * 1000 }); // Stops accepting at once.
    log({
      peer: "-",
      action: "shutdown",
      result:
        `ok: accepting no more connections; commands under way may finish within ${grace} s ` +
        "(Ctrl-C again ends them now)",
    });
    await stopping;
  } finally {
    for (const signal of signals) Deno.removeSignalListener(signal, again);
  }
  log({ peer: "-", action: "stop", result: "ok: stopped" });
  return OK;
}

/** Writes each event as one line of the log, on stderr. */
function eventLog(io: CliIo, format: LogFormat): (event: SessionEvent) => void {
  return (event) => io.stderr.write(formatEvent(event, new Date(), format) + "\n");
}

function print(io: CliIo, text: string): number {
  io.stdout.write(text);
  return OK;
}

/**
 * The address another machine can use: the one listened on, or for "all interfaces"
 * the first address of a real interface, IPv4 first since people type those (loopback
 * when there is none).
 */
function reachableAddress(address: { hostname: string; port: number }) {
  if (address.hostname !== "0.0.0.0" && address.hostname !== "::") return address;
  let interfaces: Deno.NetworkInterfaceInfo[] = [];
  try {
    interfaces = Deno.networkInterfaces();
  } catch {
    // Not permitted: fall back to loopback.
  }
  const families = address.hostname === "::" ? ["IPv4", "IPv6"] : ["IPv4"];
  const external = families.map((family) =>
    interfaces.find((i) =>
      i.family === family && !i.address.startsWith("127.") && i.address !== "::1" &&
      !i.address.startsWith("fe80")
    )
  ).find((found) => found !== undefined);
  return { hostname: external?.address ?? "127.0.0.1", port: address.port };
}

function describeListenError(error: unknown, address: string): string {
  const reason = error instanceof Deno.errors.AddrInUse
    ? "the port is in use (try --port 0 for a free one)"
    : error instanceof Deno.errors.AddrNotAvailable
    ? "no such address on this machine"
    : describeError(error);
  return `Cannot listen on ${printable(address)}: ${printable(reason)}`;
}

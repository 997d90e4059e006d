/**
 * Cross-compiles ferry into standalone executables with `deno compile`, one per target, and
 * writes a `SHA256SUMS` file next to them (same format as `sha256sum`).
 *
 * Usage: `deno task compile [--target T]... [--out DIR]`
 *
 * The binaries get only the permissions ferry needs at runtime: net, read, write, env
 * (HOME and XDG_CONFIG_HOME for the config folder, FERRY_TOKEN), and sys=statfs (the
 * disk's free space for `serve --min-free`) and sys=networkInterfaces (the address
 * `serve` tells the other machine to connect to).
 *
 * @module
 */

import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { basename, join } from "node:path";
import { parseArgs } from "node:util";

const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
];

const PERMISSIONS = [
  "--allow-net",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-sys=statfs,networkInterfaces",
  // For `!COMMAND` at the ftp> prompt; `ferry serve` gives it up as it starts.
  "--allow-run",
];

function parseOptions(args: string[]): { targets: string[]; out: string } {
  const { values } = parseArgs({
    args,
    options: {
      target: { type: "string", multiple: true },
      out: { type: "string", default: "dist" },
    },
  });
  const targets = values.target ?? TARGETS;
  for (const target of targets) {
    if (!TARGETS.includes(target)) {
      throw new Error(`unknown target "${target}"; expected one of: ${TARGETS.join(", ")}`);
    }
  }
  return { targets, out: values.out };
}

function outputPath(out: string, target: string): string {
  const suffix = target.includes("windows") ? ".exe" : "";
  return join(out, `ferry-${target}${suffix}`);
}

async function compile(target: string, output: string): Promise<void> {
  console.log(`Compiling ${output} ...`);
  const args = ["compile", ...PERMISSIONS, "--target", target, "--output", output, "main.ts"];
  const { success, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    stdout: "inherit",
    stderr: "piped",
  }).output();
  const errorText = new TextDecoder().decode(stderr);
  if (errorText) console.error(errorText.trimEnd());
  if (success) return;
  const downloadFailed = /error sending request|dns error|failed to download/i.test(errorText);
  throw new Error(
    downloadFailed
      ? `deno compile for ${target} failed because the denort runtime download failed; ` +
        "the build needs network access to dl.deno.land."
      : `deno compile for ${target} failed; see the output above.`,
  );
}

function sha256(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(path)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}

async function main(args: string[]): Promise<number> {
  let options: { targets: string[]; out: string };
  try {
    options = parseOptions(args);
  } catch (error) {
    console.error(`compile: ${error instanceof Error ? error.message : error}`);
    return 2;
  }
  await Deno.mkdir(options.out, { recursive: true });
  const sums: string[] = [];
  try {
    for (const target of options.targets) {
      const output = outputPath(options.out, target);
      await compile(target, output);
      sums.push(`${await sha256(output)}  ${basename(output)}\n`);
    }
  } catch (error) {
    console.error(`compile: ${error instanceof Error ? error.message : error}`);
    return 1;
  }
  await Deno.writeTextFile(join(options.out, "SHA256SUMS"), sums.join(""));
  console.log(`Wrote ${options.targets.length} executables and SHA256SUMS to ${options.out}/`);
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));

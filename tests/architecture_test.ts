/**
 * The layering of `src/`, checked: dependencies point one way,
 * `cli → client | server → transport → protocol → common`, the client and the
 * server never import each other, the protocol core does no I/O, and nothing imports
 * in a circle.
 *
 * @module
 */

import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { assertEquals } from "./support/assert.ts";

const SRC = fileURLToPath(new URL("../src/", import.meta.url));

/** Which layers each layer may import (besides itself). */
const ALLOWED: Record<string, string[]> = {
  cli: ["client", "server", "transport", "protocol", "common"],
  client: ["transport", "protocol", "common"],
  server: ["transport", "protocol", "common"],
  transport: ["protocol", "common"],
  protocol: ["common"],
  common: [],
};

/** Every `.ts` file under `dir`, as absolute paths. */
async function sourceFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) files.push(...await sourceFiles(path));
    else if (entry.name.endsWith(".ts")) files.push(path);
  }
  return files.sort();
}

/** The relative imports of a file, resolved to absolute paths. */
async function importsOf(file: string): Promise<string[]> {
  const text = await Deno.readTextFile(file);
  const specifiers = [...text.matchAll(/^(?:import|export)[^;]*?from\s+"(\.[^"]+)"/gms)]
    .map((match) => match[1]);
  return specifiers.map((specifier) => resolve(dirname(file), specifier));
}

function layerOf(file: string): string {
  return relative(SRC, file).split("/")[0];
}

Deno.test("every src/ file sits in a known layer", async () => {
  const strays = (await sourceFiles(SRC)).filter((file) => !(layerOf(file) in ALLOWED));
  assertEquals(strays.map((file) => relative(SRC, file)), []);
});

Deno.test("imports between layers point down only", async () => {
  const upward: string[] = [];
  for (const file of await sourceFiles(SRC)) {
    const from = layerOf(file);
    for (const target of await importsOf(file)) {
      if (relative(SRC, target).startsWith("..")) continue; // deno.json, for the version.
      const to = layerOf(target);
      if (to !== from && !ALLOWED[from]?.includes(to)) {
        upward.push(`${relative(SRC, file)} → ${relative(SRC, target)}`);
      }
    }
  }
  assertEquals(upward, []);
});

Deno.test("the protocol core does no I/O and keeps no time", async () => {
  const impure: string[] = [];
  for (const file of await sourceFiles(join(SRC, "protocol"))) {
    const text = await Deno.readTextFile(file);
    for (const word of ["Deno.", "setTimeout", "setInterval", "performance.now", "Date.now"]) {
      if (text.includes(word)) impure.push(`${relative(SRC, file)} uses ${word}`);
    }
  }
  assertEquals(impure, []);
});

Deno.test("no module imports itself through others", async () => {
  const files = await sourceFiles(SRC);
  const graph = new Map<string, string[]>();
  for (const file of files) graph.set(file, await importsOf(file));
  const cycles: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const path: string[] = [];
  function visit(file: string): void {
    if (state.get(file) === "done") return;
    if (state.get(file) === "visiting") {
      const loop = path.slice(path.indexOf(file)).concat(file);
      cycles.push(loop.map((f) => relative(SRC, f)).join(" → "));
      return;
    }
    state.set(file, "visiting");
    path.push(file);
    for (const target of graph.get(file) ?? []) visit(target);
    path.pop();
    state.set(file, "done");
  }
  for (const file of files) visit(file);
  assertEquals(cycles, []);
});

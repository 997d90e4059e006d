/**
 * Where ferry keeps what outlives a run: the config folder (the server's identity,
 * the client's known servers) and the state folder (history). The usual place on
 * each system, overridable with `XDG_CONFIG_HOME` / `XDG_STATE_HOME` (which the
 * tests use to keep to a temp folder).
 *
 * @module
 */

import { join } from "node:path";

/** Reads an environment variable; `undefined` if unset or not permitted. */
export type Env = (name: string) => string | undefined;

/** The real environment, asked without prompting: a variable not granted reads as unset. */
export function processEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/** ferry's config folder: `~/.config/ferry` on Linux, the platform's own elsewhere. */
export function configDir(env: Env = processEnv): string {
  const xdg = env("XDG_CONFIG_HOME");
  if (xdg) return join(xdg, "ferry");
  if (Deno.build.os === "windows") return join(env("APPDATA") ?? home(env), "ferry");
  if (Deno.build.os === "darwin") return join(home(env), "Library", "Application Support", "ferry");
  return join(home(env), ".config", "ferry");
}

/** ferry's state folder: `~/.local/state/ferry` on Linux, the config folder elsewhere. */
export function stateDir(env: Env = processEnv): string {
  const xdg = env("XDG_STATE_HOME");
  if (xdg) return join(xdg, "ferry");
  if (Deno.build.os !== "linux") return configDir(env);
  return join(home(env), ".local", "state", "ferry");
}

function home(env: Env): string {
  return env("HOME") ?? env("USERPROFILE") ?? ".";
}

/**
 * Refuses a secret file that others can read (the mode's group and other bits), with
 * the command that fixes it. Windows has no such bits to check.
 */
export async function checkPrivate(path: string, what: string): Promise<void> {
  if (Deno.build.os === "windows") return;
  const { mode } = await Deno.stat(path);
  if (mode !== null && (mode & 0o077) !== 0) {
    throw new Deno.errors.PermissionDenied(
      `${what} ${path} can be read by other users: run "chmod 600 ${path}"`,
    );
  }
}

/**
 * The interactive `ftp>` prompt's parts, put together: the line editor, its history
 * file, Tab completion over the command table, the server's names and local paths,
 * and `!COMMAND`.
 *
 * @module
 */

import type { Client } from "../client/client.ts";
import { UsageError } from "../common/errors.ts";
import { quote } from "../common/text.ts";
import { complete, localEntries } from "./completion.ts";
import { historyPath, loadHistory, saveHistory } from "./history.ts";
import type { CliIo } from "./io.ts";
import { LineEditor } from "./line_editor.ts";
import { RemoteNames } from "./remote_names.ts";
import { argKind, commandWords, optionWords } from "./repl_commands.ts";

/** A prompt ready to read lines. */
export interface Prompt extends AsyncDisposable {
  lines: AsyncIterable<string>;
  names: RemoteNames;
  runLocal(command: string): Promise<void>;
}

/** Opens the prompt on the terminal, with the history of earlier sessions. */
export async function openPrompt(client: Client, io: CliIo): Promise<Prompt> {
  const names = new RemoteNames(client);
  const path = historyPath(io.env);
  let warned = false;
  /** Saves in order, each after the one before; the last is waited for on the way out. */
  let saving = Promise.resolve();
  const editor = new LineEditor({
    prompt: "ftp> ",
    history: await loadHistory(path),
    onHistory: (lines) => {
      saving = saving.then(() => saveHistory(path, lines)).then((problem) => {
        if (problem === undefined || warned) return;
        warned = true; // Once a session: the prompt works without it.
        io.stderr.write(`\nferry: cannot keep the history in ${quote(path)}: ${problem}\n`);
      });
    },
    complete: (line) =>
      complete(line, {
        commands: commandWords(),
        argKind,
        options: optionWords,
        remote: (folder) => names.entries(folder),
        local: localEntries,
      }),
  });
  return {
    names,
    lines: (async function* () {
      for (let line; (line = await editor.read()) !== undefined;) yield line;
    })(),
    runLocal: (command) => editor.lend(() => runLocal(command)),
    async [Symbol.asyncDispose]() {
      editor.close();
      await saving;
    },
  };
}

/** `!COMMAND`: runs it with the system's shell on this terminal. */
async function runLocal(command: string): Promise<void> {
  if (Deno.permissions.querySync({ name: "run" }).state !== "granted") {
    throw new UsageError("Local commands need ferry to run with --allow-run, which it does not");
  }
  const shell = Deno.build.os === "windows" ? ["cmd", "/c"] : ["sh", "-c"];
  const line = command.trim() === "" ? (Deno.build.os === "windows" ? "cmd" : "sh") : command;
  const { code } = await new Deno.Command(shell[0], {
    args: [shell[1], line],
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) throw new LocalCommandStatus(code);
}

/** A local command that did not succeed: worth a line, not the end of the session. */
class LocalCommandStatus extends UsageError {
  constructor(code: number) {
    super(`The local command exited with code ${code}`);
    this.name = "LocalCommandStatus";
  }
}

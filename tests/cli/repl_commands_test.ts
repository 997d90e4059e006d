import { assertStringIncludes } from "../support/assert.ts";
import { replHelp } from "../../src/cli/repl_commands.ts";

Deno.test("replHelp() lists every command and its aliases", () => {
  const help = replHelp();
  for (
    const word of [
      "ls",
      "get [-r] [-f] NAME [LOCAL]",
      "put [-r] [-f] PATH [NAME]",
      "mget",
      "mput",
      "cd [PATH]",
      "lcd",
      "mkdir",
      "rmdir",
      "rename [-f] FROM TO",
      "mv",
      "download",
      "upload",
      "bye",
      "exit",
      "q",
    ]
  ) {
    assertStringIncludes(help, word, word);
  }
});

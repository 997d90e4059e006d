import { assertStringIncludes } from "../support/assert.ts";
import { replHelp } from "../../src/cli/repl_commands.ts";

Deno.test("replHelp() lists every command and its aliases", () => {
  const help = replHelp();
  for (
    const word of [
      "ls",
      "get NAME [LOCAL]",
      "put PATH [NAME]",
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

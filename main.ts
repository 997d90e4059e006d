/**
 * ferry: move files between machines over the simple-FTP protocol.
 * Everything happens in `src/cli/main.ts`; see README.md to get started.
 *
 * @module
 */

import { main } from "./src/cli/main.ts";

if (import.meta.main) Deno.exit(await main(Deno.args));

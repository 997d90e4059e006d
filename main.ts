/**
 * ferry: move files between machines over the simple-FTP protocol.
 * Everything happens in `src/cli.ts`; see README.md to get started.
 *
 * @module
 */

import { main } from "./src/cli.ts";

if (import.meta.main) Deno.exit(await main(Deno.args));

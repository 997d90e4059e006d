/** The free-space floor, read from the real disk of a temp folder. */
import { assert, assertRejects } from "../support/assert.ts";
import { RefusalError } from "../../src/common/errors.ts";
import { checkFreeSpace, freeSpace } from "../../src/server/free_space.ts";
import { tempDir } from "../support/helpers.ts";

Deno.test("`freeSpace()` reads the folder's disk, and `checkFreeSpace()` keeps the floor", async () => {
  await using dir = await tempDir();
  const free = await freeSpace(dir.path);
  assert(free !== undefined && free > 0, `free space read as ${free}`);
  await checkFreeSpace(dir.path, { bytes: 1, keepFree: 0 });
  await assertRejects(
    () => checkFreeSpace(dir.path, { bytes: 1, keepFree: free + 2 ** 40 }),
    RefusalError,
    "Not enough disk space on the server for 1 bytes while keeping",
  );
});

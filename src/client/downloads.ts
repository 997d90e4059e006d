/**
 * Where a download's bytes go, whichever way they come (a data connection, or a
 * `fetch` answer on the control connection): a temp file beside the destination,
 * which appears under its name only once whole and verified, and is removed on
 * every other way out.
 *
 * @module
 */

import { LocalFileError } from "../common/errors.ts";
import { describeError, quote } from "../common/text.ts";
import type { ByteSink } from "../transport/payload_pump.ts";
import { checkNewFile, checkReplaceable, createDownload } from "./local_files.ts";

/**
 * Checks the local path `path` (it must not exist unless `replace`), runs `receive`
 * with a sink into its temp file, and publishes the file if `receive` returns: it
 * throws to discard everything (a cut, a digest that does not match).
 */
export async function downloadTo<T>(
  path: string,
  { replace = false, receive }: { replace?: boolean; receive: (sink: ByteSink) => Promise<T> },
): Promise<T> {
  if (replace) await checkReplaceable(path);
  else await checkNewFile(path);
  const cannotWrite = (error: unknown) =>
    new LocalFileError(`Cannot write ${quote(path)}: ${describeError(error)}`, { cause: error });
  await using file = await createDownload(path).catch((error) => {
    throw cannotWrite(error);
  });
  const received = await receive({
    write: (chunk: Uint8Array) =>
      file.write(chunk).catch((error) => Promise.reject(cannotWrite(error))),
  });
  await file.commit({ replace }).catch((error) => {
    if (error instanceof Deno.errors.AlreadyExists) {
      throw new LocalFileError(`${quote(path)} appeared while downloading; it was left as it is`);
    }
    throw cannotWrite(error);
  });
  return received;
}

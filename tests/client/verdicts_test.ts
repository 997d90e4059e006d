import { assertThrows } from "../support/assert.ts";
import { IntegrityError, TransferError, UnverifiedError } from "../../src/common/errors.ts";
import { checkDownload, checkUpload } from "../../src/client/verdicts.ts";

const FERRY = { name: "f.bin", vouches: true, verify: false };
const BASE = { name: "f.bin", vouches: false, verify: false };
const received = { bytes: 3, digest: "xxh128" as const, hex: "ab".repeat(16) };

Deno.test("`checkDownload()` keeps what the server vouched for, or a base server's bytes", () => {
  checkDownload({ ...received, declared: received.hex }, FERRY);
  checkDownload({ ...received, declared: undefined }, BASE);
});

Deno.test("`checkDownload()` names the session's digest when the bytes do not match", () => {
  assertThrows(
    () => checkDownload({ ...received, declared: "cd".repeat(16) }, FERRY),
    IntegrityError,
    `Download of "f.bin" is corrupt: the server sent xxh128 ${
      "cd".repeat(16)
    } but the bytes hash to`,
  );
});

Deno.test("`checkDownload()` takes a missing trailer from a ferry server for a cut", () => {
  assertThrows(
    () => checkDownload({ ...received, declared: undefined }, FERRY),
    TransferError,
    "did not arrive",
  );
});

Deno.test("`checkDownload()` and `checkUpload()` refuse unverified transfers with --verify", () => {
  const verify = { ...BASE, verify: true };
  assertThrows(
    () => checkDownload({ ...received, declared: undefined }, verify),
    UnverifiedError,
    "was not verified",
  );
  assertThrows(() => checkUpload(false, verify), UnverifiedError, "not verified");
});

Deno.test("`checkUpload()` takes a missing confirmation from a ferry server for a cut", () => {
  checkUpload(true, FERRY);
  checkUpload(false, BASE);
  assertThrows(() => checkUpload(false, FERRY), TransferError, "may not be stored");
});

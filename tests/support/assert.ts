/**
 * The few assertions the tests use, on top of `node:assert/strict` (JSR's
 * `@std/assert` is unreachable here). Names follow `@std/assert`.
 *
 * @module
 */

import assert from "node:assert/strict";

/** Deep, strict equality. */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  assert.deepStrictEqual(actual, expected, message);
}

/** Asserts `fn` throws an instance of `ErrorClass` whose message includes `includes`. */
export function assertThrows<E extends Error>(
  fn: () => unknown,
  // deno-lint-ignore no-explicit-any
  ErrorClass: new (...args: any[]) => E,
  includes?: string,
): E {
  try {
    fn();
  } catch (error) {
    return checkError(error, ErrorClass, includes);
  }
  throw new assert.AssertionError({ message: `Expected ${ErrorClass.name} to be thrown` });
}

/** Asserts `fn` rejects with an instance of `ErrorClass` whose message includes `includes`. */
export async function assertRejects<E extends Error>(
  fn: () => Promise<unknown>,
  // deno-lint-ignore no-explicit-any
  ErrorClass: new (...args: any[]) => E,
  includes?: string,
): Promise<E> {
  try {
    await fn();
  } catch (error) {
    return checkError(error, ErrorClass, includes);
  }
  throw new assert.AssertionError({ message: `Expected ${ErrorClass.name} to be rejected` });
}

function checkError<E extends Error>(
  error: unknown,
  // deno-lint-ignore no-explicit-any
  ErrorClass: new (...args: any[]) => E,
  includes?: string,
): E {
  if (!(error instanceof ErrorClass)) {
    throw new assert.AssertionError({
      message: `Expected ${ErrorClass.name}, got ${
        error instanceof Error ? error.name : typeof error
      }: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
  if (includes !== undefined && !error.message.includes(includes)) {
    throw new assert.AssertionError({
      message: `Expected message to include ${JSON.stringify(includes)}, got ${
        JSON.stringify(error.message)
      }`,
    });
  }
  return error;
}

export { assert };

/** Asserts `actual` contains `expected`, showing the whole text when it does not. */
export function assertStringIncludes(actual: string, expected: string, message?: string): void {
  if (actual.includes(expected)) return;
  throw new assert.AssertionError({
    message: `${message ? message + ": " : ""}Expected ${JSON.stringify(actual)} to include ${
      JSON.stringify(expected)
    }`,
  });
}

/** Asserts `actual` starts with `prefix`, showing the whole text when it does not. */
export function assertStartsWith(actual: string, prefix: string, message?: string): void {
  if (actual.startsWith(prefix)) return;
  throw new assert.AssertionError({
    message: `${message ? message + ": " : ""}Expected ${JSON.stringify(actual)} to start with ${
      JSON.stringify(prefix)
    }`,
  });
}

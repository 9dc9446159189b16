// Shared by the nn tests.
import { ChainruleError } from '@chainrule/core';
import { expect } from 'vitest';

/** Asserts that `fn` throws a ChainruleError whose message is exactly `message` (a string) or matches it. */
export function expectError(fn: () => unknown, message: string | RegExp): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ChainruleError);
  if (typeof message === 'string') expect((error as Error).message).toBe(message);
  else expect((error as Error).message).toMatch(message);
}

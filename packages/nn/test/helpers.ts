// Shared by the nn tests.
import { ChainruleError } from '@chainrule/core';
import { expect } from 'vitest';

/** Asserts that `fn` throws a ChainruleError with exactly `message`. */
export function expectError(fn: () => unknown, message: string): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ChainruleError);
  expect((error as Error).message).toBe(message);
}

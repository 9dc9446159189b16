import { describe, expect, it } from 'vitest';
import { measure } from '../../../../scripts/bundle-size';
import { requireBuild } from './dist';

// Bundles of the built package stay within their budgets: above all, code that imports only
// Value must not pull in the tensor graph and its kernels (tree-shaking; see brand.ts).
describe('bundle size', () => {
  it('every entry in scripts/bundle-size.ts stays within its budget, minified', async () => {
    requireBuild();
    const sizes = await measure();
    const over = sizes.filter((m) => m.minified > m.budget).map((m) => `${m.name}: ${m.minified} B > ${m.budget} B`);
    expect(over, 'over budget (see `pnpm size`)').toEqual([]);
    const valueOnly = sizes.find((m) => m.name === 'Value only');
    expect(valueOnly?.minified).toBeLessThan(5_000);
  });
});

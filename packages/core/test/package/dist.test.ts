import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { inspect } from 'node:util';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { distDir, loadBoth } from './dist';

type Core = Awaited<ReturnType<typeof loadBoth>>['esm'];
let esm: Core;
let cjs: Core;
beforeAll(async () => {
  ({ esm, cjs } = await loadBoth());
});

describe('the built package', () => {
  it('names every exported class as in the source, in both builds (no bundler prefix)', () => {
    for (const build of [esm, cjs]) {
      const classes = Object.entries(build).filter(([, v]) => typeof v === 'function' && /^class\b/.test(String(v)));
      expect(classes.map(([k]) => k)).toEqual(expect.arrayContaining(['Tensor', 'Value', 'Rng', 'ChainruleError']));
      for (const [exported, cls] of classes) expect((cls as { name: string }).name).toBe(exported);
    }
    for (const file of ['index.js', 'index.cjs']) {
      expect(readFileSync(distDir + file, 'utf8')).not.toMatch(/\bclass _[A-Z]\w*/);
    }
  });

  it('shows class names without a prefix in constructor.name, stack traces and error messages', () => {
    const t = esm.tensor([1, 2]);
    expect(t.constructor.name).toBe('Tensor');
    expect(new cjs.Value(1).constructor.name).toBe('Value');
    let stack = '';
    try {
      t.item();
    } catch (e) {
      stack = String((e as Error).stack);
    }
    expect(stack).toMatch(/^ChainruleError: item: expects a tensor of one element/);
    expect(stack).toMatch(/at Tensor\.item /);
    expect(() => new esm.Value(t as never)).toThrow(
      /^Value: data must be a number, got Tensor tensor\(\[1\., 2\.\]\)$/,
    );
  });

  it("keeps the class names through a user's bundler (esbuild, not minified)", async () => {
    const bundle = await build({
      stdin: {
        contents: `import { Tensor, Value, tensor } from '${distDir}index.js';
          export const names = [Tensor.name, Value.name, tensor([1]).constructor.name, new Value(1).constructor.name];`,
        resolveDir: distDir,
      },
      bundle: true,
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    const code = bundle.outputFiles[0]?.text ?? '';
    const { names } = await import(/* @vite-ignore */ `data:text/javascript,${encodeURIComponent(code)}`);
    expect(names).toEqual(['Tensor', 'Value', 'Tensor', 'Value']);
  });

  it('prints tensors and values the same way from both builds', () => {
    expect(inspect(esm.tensor([[1, 2]]))).toBe('tensor([[1., 2.]])');
    expect(inspect(cjs.tensor([0.5], { dtype: 'float64', requiresGrad: true }))).toBe(
      'tensor([0.5000], dtype=float64, requiresGrad=true)',
    );
    expect(inspect(new cjs.Value(2))).toBe('Value(data=2, grad=0)');
  });
});

describe('one class identity across the ESM and the CJS build in one process', () => {
  it('answers instanceof for tensors and values made by the other build', () => {
    expect(esm.Tensor).not.toBe(cjs.Tensor); // two copies of the class...
    expect(esm.tensor([1]) instanceof cjs.Tensor).toBe(true); // ...one identity
    expect(cjs.tensor([1]) instanceof esm.Tensor).toBe(true);
    expect(new esm.Value(1) instanceof cjs.Value).toBe(true);
    expect(new cjs.Value(1) instanceof esm.Value).toBe(true);
    expect(new esm.Value(1) instanceof cjs.Tensor).toBe(false);
    expect(esm.tensor([1]) instanceof cjs.Value).toBe(false);
    for (const x of [null, undefined, 1, {}, [1], new Float32Array(1)]) expect(x instanceof esm.Tensor).toBe(false);
  });

  it('computes and backpropagates through a graph mixing both builds', () => {
    const a = esm.tensor([1, 2, 3], { requiresGrad: true });
    const b = cjs.tensor([4, 5, 6], { requiresGrad: true });
    const y = cjs.mul(a, b).add(esm.tensor(1)).sum(); // ∂y/∂a = b, ∂y/∂b = a
    expect(y.item()).toBe(35);
    y.backward();
    expect(a.grad?.toArray()).toEqual([4, 5, 6]);
    expect(b.grad?.toArray()).toEqual([1, 2, 3]);
    expect(cjs.toDot(a.mul(b))).toContain('digraph');

    const u = new esm.Value(2);
    const v = new cjs.Value(-3);
    const z = v.mul(u).add(u); // ∂z/∂u = v + 1 = −2, ∂z/∂v = u = 2
    z.backward();
    expect([u.grad, v.grad]).toEqual([-2, 2]);
  });

  it('keeps the ordinary instanceof for subclasses', () => {
    class Parameter extends esm.Tensor {}
    const p = new Parameter(new Float32Array(2), [2]);
    expect(p instanceof Parameter).toBe(true);
    expect(p instanceof esm.Tensor).toBe(true);
    expect(p instanceof cjs.Tensor).toBe(true);
    expect(esm.tensor([1]) instanceof Parameter).toBe(false);
  });
});

describe('one kernel runtime per module format', () => {
  type Kernels = typeof import('../../src/kernels/index');
  it('shares the kernel state between the main entry and @chainrule/core/kernels, in ESM and in CJS', async () => {
    const kernels = {
      esm: (await import(/* @vite-ignore */ `${distDir}kernels.js`)) as Kernels,
      cjs: createRequire(import.meta.url)(`${distDir}kernels.cjs`) as Kernels,
    };
    for (const format of ['esm', 'cjs'] as const) {
      const [main, sub] = [format === 'esm' ? esm : cjs, kernels[format]];
      const before = main.kernelBackend();
      try {
        main.setKernels('ts'); // set through one entry, seen through the other: one module state
        expect(sub.kernelBackend(), format).toBe('ts');
        sub.setKernels('wasm');
        expect(main.kernelBackend(), format).toMatch(/^wasm-/);
      } finally {
        main.setKernels(before === 'ts' ? 'ts' : 'wasm');
      }
    }
  });

  it("hides the variable import() of Node's worker_threads (before Node 20.16) from webpack and Vite alike", () => {
    for (const file of ['shared/kernels.js', 'shared/kernels.cjs']) {
      const imports = readFileSync(distDir + file, 'utf8').match(/\bimport\(([^)]*)\)/g) ?? [];
      expect(imports.length, file).toBe(1); // os and fs come from process.getBuiltinModule
      for (const call of imports) expect(call, file).toMatch(/webpackIgnore: true \*\/\s*\/\* @vite-ignore/);
    }
  });

  it('embeds the WebAssembly once per format, in the shared chunk', () => {
    const base64 = /"AGFzbQ[A-Za-z0-9+/=]{1000,}"/g; // "\0asm", base64-encoded, the start of a binary
    for (const file of ['index.js', 'kernels.js', 'index.cjs', 'kernels.cjs']) {
      expect(readFileSync(distDir + file, 'utf8').match(base64), file).toBeNull();
    }
    for (const file of ['shared/kernels.js', 'shared/kernels.cjs']) {
      expect(readFileSync(distDir + file, 'utf8').match(base64)?.length, file).toBe(2); // SIMD128, relaxed SIMD
    }
  });
});

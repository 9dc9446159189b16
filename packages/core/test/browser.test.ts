// The built package in headless Chromium: it loads its embedded WebAssembly kernels without
// fetching a file, runs them (not the TypeScript fallback), and computes what Node computes.
// Needs the build (`pnpm test` builds first) and Debian's chromium; skipped without either, and in
// the TypeScript-kernels run (the page does not see it).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { gemmTs } from '../src/kernels/index';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const bundle = join(dist, 'index.js');

/** Deterministic operands, the same in the page and here. */
const fill = (size: number, phase: number) => Float32Array.from({ length: size }, (_, i) => Math.sin(i * 0.37 + phase));
const CASES = [
  [37, 29, 41, false, false],
  [64, 48, 300, true, false],
  [33, 70, 65, false, true],
] as const;

const page = `<!doctype html><html><body><pre id="out">pending</pre><script type="module">
import { kernelsReady, kernelBackend } from './index.js';
import * as kernels from './kernels.js';
await kernelsReady();
const fill = ${fill.toString()};
const results = ${JSON.stringify(CASES)}.map(([m, n, k, tA, tB]) => {
  const c = new Float32Array(m * n);
  kernels.gemm(m, n, k, fill(m * k, 1), tA, fill(k * n, 2), tB, c, false);
  return Array.from(c);
});
document.getElementById('out').textContent = JSON.stringify({ backend: kernelBackend(), results });
</script></body></html>`;

describe('the built package in a browser', () => {
  it.skipIf(!existsSync(CHROMIUM) || !existsSync(bundle) || process.env.CHAINRULE_KERNELS === 'ts')(
    'headless Chromium runs the WebAssembly gemm with the results of Node',
    async () => {
      const server = createServer((req, res) => {
        // the built ESM files: index.js, kernels.js and the chunk they share (shared/kernels.js)
        const file = /^\/(shared\/)?[\w.-]+\.js$/.test(req.url ?? '') ? join(dist, req.url as string) : null;
        const js = file !== null && existsSync(file);
        res.writeHead(js || req.url === '/' ? 200 : 404, {
          'content-type': js ? 'text/javascript' : 'text/html',
        });
        res.end(js ? readFileSync(file) : req.url === '/' ? page : '');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const profile = mkdtempSync(join(tmpdir(), 'chainrule-chromium-'));
      try {
        const { port } = server.address() as AddressInfo;
        // asynchronously: a synchronous spawn would block the server, which lives in this process
        const dom = await new Promise<string>((resolve, reject) => {
          execFile(
            CHROMIUM,
            [
              '--headless',
              '--no-sandbox',
              '--disable-gpu',
              '--disable-quic',
              '--no-first-run',
              '--disable-background-networking',
              '--disable-component-update',
              '--disable-sync',
              `--user-data-dir=${profile}`,
              '--virtual-time-budget=10000',
              '--dump-dom',
              `http://127.0.0.1:${port}/`,
            ],
            { timeout: 60_000, maxBuffer: 1 << 26 },
            (err, stdout) => (err ? reject(err) : resolve(stdout)),
          );
        });
        const json = /<pre id="out">(.*?)<\/pre>/s.exec(dom)?.[1];
        expect(json, dom.slice(0, 500)).toBeDefined();
        const { backend, results } = JSON.parse(json as string) as { backend: string; results: number[][] };
        expect(backend).toMatch(/^wasm-(simd128|relaxed-simd)$/);
        CASES.forEach(([m, n, k, tA, tB], i) => {
          const want = new Float32Array(m * n);
          gemmTs(m, n, k, fill(m * k, 1), tA, fill(k * n, 2), tB, want, false);
          const got = results[i] as number[];
          expect(got).toHaveLength(m * n);
          // Chromium may run the fused (relaxed-SIMD) build: equal to float32 rounding of k terms
          for (let j = 0; j < m * n; j++)
            expect(Math.abs((got[j] as number) - (want[j] as number))).toBeLessThan(1e-5 * k);
        });
      } finally {
        server.close();
        rmSync(profile, { recursive: true, force: true });
      }
    },
    90_000,
  );
});

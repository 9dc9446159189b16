// End to end: the built playground in headless Chromium (Debian's `chromium`, driven by
// playwright-core). Builds the static site with Vite's API into a temporary folder, serves it
// with Vite's preview server on 127.0.0.1, and clicks through the three parts of the page.
import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build, type PreviewServer, preview } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExpression, parseVars } from '../src/expression';
import { parseState } from '../src/state';
import { Trainer } from '../src/trainer';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`playground browser tests SKIPPED: ${CHROMIUM} is absent (apt-get install -y chromium)`);
}
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const screenshot = resolve(root, '../../out/playground.png');

/** A run that differs from the defaults in every training setting, so restoring it is visible. */
const RUN = {
  data: 'moons',
  noise: '0.12',
  seed: '3',
  hidden: '6,6',
  act: 'tanh',
  opt: 'adam',
  lr: '0.02',
  batch: '20',
};
/** Training on two moons must reach 95 % held-out accuracy within this many steps. */
const STEP_BOUND = 1000;
const EXPR = 'tanh(a*b + c) * a';
const VARS = 'a = 1.5, b = -0.8, c = 0.4';

describe.skipIf(!hasChromium)('the playground in headless Chromium', () => {
  let outDir = '';
  let server: PreviewServer;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'chainrule-playground-'));
    const configFile = join(root, 'vite.config.ts');
    await build({ root, configFile, logLevel: 'error', build: { outDir, emptyOutDir: true } });
    server = await preview({
      root,
      configFile,
      logLevel: 'error',
      build: { outDir },
      preview: { host: '127.0.0.1', port: 0, strictPort: false },
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`${m.text()} (${m.location().url})`);
    });
    page.on('pageerror', (e) => errors.push(e.message));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('loads with no console error and restores a run from its URL', async () => {
    const base = server.resolvedUrls?.local[0] as string;
    await page.goto(`${base}?${new URLSearchParams(RUN)}`);
    await page.waitForSelector('body[data-trained="0"][data-graph-ready="true"]', { timeout: 30_000 });
    for (const [key, value] of Object.entries(RUN)) {
      expect(await page.inputValue(`#${key}`), key).toBe(value);
    }
    // the drawn network is 2 → 6 → 6 → 1
    expect(await page.locator('#network circle.neuron').count()).toBe(2 + 6 + 6 + 1);
    expect(await page.isHidden('#warnings')).toBe(true);
    expect(errors).toEqual([]);
  });

  it('takes single steps with the same losses as the same run in Node', async () => {
    const node = new Trainer(parseState(`?${new URLSearchParams(RUN)}`).state);
    for (let s = 1; s <= 3; s++) {
      await page.click('#step');
      await page.waitForSelector(`body[data-trained="${s}"]`);
      expect(Number(await page.getAttribute('#loss-value', 'data-value'))).toBe(node.step());
    }
    expect(Number(await page.getAttribute('#train-accuracy', 'data-value'))).toBe(node.accuracy(node.train));
  });

  it('trains two moons to ≥ 95 % held-out accuracy, redrawing the boundary', async () => {
    const canvas = () => page.$eval('#boundary', (c) => (c as HTMLCanvasElement).toDataURL());
    const before = await canvas();
    // every frame the page draws is seen (a MutationObserver on the accuracy), so `steps` is the
    // step count of the first frame that shows ≥ 95 %; a frame comes at least every 100 steps
    type Reached = { steps: number; text: string; rate: number };
    await page.evaluate(() => {
      (window as unknown as { reached: Promise<Reached> }).reached = new Promise<Reached>((resolve, reject) => {
        const shown = (id: string) => Number(document.getElementById(id)?.dataset.value);
        const acc = document.getElementById('test-accuracy') as HTMLElement;
        const observer = new MutationObserver(() => {
          if (shown('test-accuracy') < 0.95) return;
          observer.disconnect();
          resolve({ steps: shown('step-count'), text: acc.textContent ?? '', rate: shown('rate') });
        });
        observer.observe(acc, { childList: true, characterData: true, subtree: true, attributes: true });
        setTimeout(() => reject(new Error('held-out accuracy did not reach 95 % within 20 s')), 20_000);
      });
    });
    await page.click('#play');
    const { steps, text, rate } = await page.evaluate(
      () => (window as unknown as { reached: Promise<Reached> }).reached,
    );
    await page.click('#play'); // pause
    expect(steps).toBeGreaterThan(0);
    expect(steps).toBeLessThanOrEqual(STEP_BOUND);
    expect(text).toMatch(/^(9[5-9]|100)\.\d%$/);
    expect(rate).toBeGreaterThan(0); // steps/s while running
    expect(await canvas()).not.toBe(before);
    expect(errors).toEqual([]);
  });

  it("shows a clicked neuron's δ, equal to F5 evaluated with the numbers shown", async () => {
    // the output neuron: F11 with one example, δ = σ(z) − t
    await page.click('#network circle[data-layer="2"][data-unit="0"]');
    const out = await page.$eval('#inspector', (d) => ({ ...(d as HTMLElement).dataset }));
    expect([out.layer, out.unit]).toEqual(['2', '0']);
    expect(Number(out.delta)).toBeCloseTo(Number(out.deltaFormula), 6);
    await page.click('#network circle[data-layer="0"][data-unit="1"]');
    const data = await page.$eval('#inspector', (d) => ({ ...(d as HTMLElement).dataset }));
    expect([data.layer, data.unit]).toEqual(['0', '1']);
    const delta = Number(data.delta);
    expect(Number.isFinite(delta)).toBe(true);
    expect(delta).not.toBe(0);
    expect(Math.abs(delta - Number(data.deltaFormula))).toBeLessThan(1e-6 * Math.max(1, Math.abs(delta)));
    expect(Math.abs(Number(data.z) - Number(data.zFormula))).toBeLessThan(1e-5);
    expect(await page.textContent('#delta-autodiff')).toBe(delta.toPrecision(6));
    expect(await page.locator('#inspector .katex').count()).toBe(3);
    expect(await page.textContent('#inspector')).toContain('F5, F8');
    expect(errors).toEqual([]);
  });

  it('steps the scalar graph backward in reverse topological order, to the grads of Value.backward()', async () => {
    await page.fill('#expr', EXPR);
    await page.fill('#vars', VARS);
    await page.click('#build');
    await page.waitForSelector('#graph svg');
    const { root } = buildExpression(EXPR, parseVars(VARS));
    root.backward();
    const { topoSort } = await import('@chainrule/core');
    const order = topoSort(root) as (typeof root)[];
    for (let k = 0; k < order.length; k++) {
      await page.click('#backward-step');
      await page.waitForSelector(`#steps-log li:nth-child(${k + 1})`);
      const li = page.locator(`#steps-log li:nth-child(${k + 1})`);
      const node = Number(await li.getAttribute('data-node'));
      expect(node).toBe(order.length - 1 - k);
      expect(Number(await li.getAttribute('data-grad'))).toBeCloseTo((order[node] as typeof root).grad, 12);
    }
    await page.click('#backward-step'); // past the end: nothing more
    expect(await page.locator('#steps-log li').count()).toBe(order.length);
    await page.waitForFunction((n) => document.querySelectorAll('#graph g.node.done').length === n - 1, order.length);
    const leafA = order.find((v) => v.label === 'a') as (typeof order)[number];
    expect(await page.textContent('#graph svg')).toContain(`grad ${leafA.grad.toPrecision(4)}`);
    mkdirSync(dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(errors).toEqual([]);
  });

  it('writes a changed setting back into the URL and restarts the run', async () => {
    await page.selectOption('#act', 'relu');
    await page.waitForFunction(() => new URLSearchParams(location.search).get('act') === 'relu');
    expect(new URL(page.url()).searchParams.get('hidden')).toBe('6,6');
    // a new setting starts a new run, from step 0
    await page.waitForSelector('body[data-trained="0"]');
    expect(await page.textContent('#play')).toBe('start');
    expect(errors).toEqual([]);
  });
});

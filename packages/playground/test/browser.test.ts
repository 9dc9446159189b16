// End to end: the built playground in headless Chromium (Debian's `chromium`, driven by
// playwright-core). Builds the static site with Vite's API into a temporary folder, serves it
// with Vite's preview server on 127.0.0.1, and checks what is drawn: pixels of the heat map,
// the traced dot, the curves' points, the counter after a pause. Every wait is on the page's own
// state (its counters and attributes), never on the clock, so a loaded machine is only slower.
// PLAYGROUND_PLANT=<name> builds the site with one bug of planted.ts (scripts/planted-bugs.ts).
import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build, type Plugin, type PreviewServer, preview } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { C0, C1, signedColour, signedOutput } from '../src/draw';
import { buildExpression, parseVars } from '../src/expression';
import { GRID_RES } from '../src/protocol';
import { parseState } from '../src/state';
import { Trainer } from '../src/trainer';
import { PLANTED } from './planted';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  if (process.env.CI) throw new Error(`${CHROMIUM} is absent: apt-get install -y chromium`);
  console.warn(`playground browser tests SKIPPED: ${CHROMIUM} is absent (apt-get install -y chromium)`);
}
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const screenshot = resolve(root, '../../out/playground.png');
/** Seconds of full-speed training in the endurance test (the 30; the planted-bug runs shorten it). */
const ENDURANCE_S = Number(process.env.PLAYGROUND_ENDURANCE_S ?? 30);

/** A Vite plugin that plants one bug of planted.ts, failing the build if its text is not found. */
function plant(name: string | undefined): Plugin[] {
  if (!name) return [];
  const bug = PLANTED.find((b) => b.name === name);
  if (!bug) throw new Error(`PLAYGROUND_PLANT=${name}: no such bug (${PLANTED.map((b) => b.name).join(', ')})`);
  return [
    {
      name: 'plant-bug',
      enforce: 'pre',
      transform(code, id) {
        if (!id.endsWith(`/src/${bug.file}`)) return null;
        if (!code.includes(bug.find)) throw new Error(`planted bug ${bug.name}: '${bug.find}' not in ${bug.file}`);
        return code.replace(bug.find, bug.replace);
      },
    },
  ];
}

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
const q = (name: string) => `[data-control="${name}"]`;

/** Reads a stat's data-value. */
const stat = (page: Page, name: string) =>
  page.$eval(`[data-stat="${name}"]`, (d) => Number((d as HTMLElement).dataset.value));
/** The number of frames the page has drawn. */
const frames = async (page: Page) => Number(await page.getAttribute('body', 'data-frames'));
/** Waits until the page has drawn more than `n` frames. */
async function framesAfter(page: Page, n: number): Promise<void> {
  await page.waitForFunction((k) => Number(document.body.dataset.frames) > k, n, { timeout: 30_000 });
}
/** RGB of the heat-map canvas at canvas pixels. */
function pixels(page: Page, at: [number, number][]): Promise<[number, number, number][]> {
  return page.$eval(
    '#boundary',
    (c, points) => {
      const ctx = (c as HTMLCanvasElement).getContext('2d') as CanvasRenderingContext2D;
      return points.map(([x, y]) => {
        const d = ctx.getImageData(x, y, 1, 1).data;
        return [d[0], d[1], d[2]] as [number, number, number];
      });
    },
    at,
  );
}
const url = (page: Page) => new URL(page.url()).searchParams;

describe.skipIf(!hasChromium)('the playground in headless Chromium', () => {
  let outDir = '';
  let server: PreviewServer;
  let browser: Browser;
  let page: Page;
  let base = '';
  const errors: string[] = [];
  const watch = (p: Page) => {
    p.on('console', (m) => {
      if (m.type() === 'error') errors.push(`${m.text()} (${m.location().url})`);
    });
    p.on('pageerror', (e) => errors.push(e.message));
  };

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'chainrule-playground-'));
    const configFile = join(root, 'vite.config.ts');
    const plugins = plant(process.env.PLAYGROUND_PLANT);
    await build({
      root,
      configFile,
      logLevel: 'error',
      plugins,
      worker: { plugins: () => plant(process.env.PLAYGROUND_PLANT) },
      build: { outDir, emptyOutDir: true },
    });
    server = await preview({
      root,
      configFile,
      logLevel: 'error',
      build: { outDir },
      preview: { host: '127.0.0.1', port: 0, strictPort: false },
    });
    base = server.resolvedUrls?.local[0] as string;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
    watch(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('downloads under 500 KB at start-up: no Graphviz, KaTeX or kernels before they are needed', async () => {
    const fresh = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
    watch(fresh);
    const loaded: { url: string; bytes: number; gzip: number }[] = [];
    fresh.on('response', async (r) => {
      const body = await r.body().catch(() => Buffer.alloc(0));
      loaded.push({ url: r.url(), bytes: body.length, gzip: gzipSync(body).length });
    });
    await fresh.goto(base);
    await fresh.waitForSelector('body[data-frames]', { timeout: 30_000 });
    await fresh.waitForLoadState('networkidle');
    const total = loaded.reduce((s, r) => s + r.bytes, 0);
    const gzipped = loaded.reduce((s, r) => s + r.gzip, 0);
    expect(
      loaded.some((r) => /graphviz|katex/.test(r.url)),
      loaded.map((r) => r.url).join('\n'),
    ).toBe(false);
    expect(total).toBeLessThan(500_000);
    // the WebAssembly kernels (base64 of '\0asm') are in the worker only
    const main = loaded.find((r) => /\/assets\/index-.*\.js$/.test(r.url));
    expect(main).toBeDefined();
    const text = await (await fetch(main?.url as string)).text();
    expect(text).not.toContain('AGFzbQ');
    // opening the scalar-graph section loads Graphviz
    await fresh.click('#stepper summary');
    await fresh.waitForSelector('#graph svg', { timeout: 60_000 });
    expect(loaded.some((r) => /graphviz/.test(r.url))).toBe(true);
    console.log(`start-up download: ${(total / 1000).toFixed(0)} KB (${(gzipped / 1000).toFixed(0)} KB gzipped)`);
    await fresh.close();
    expect(errors).toEqual([]);
  });

  it('loads with no console error and restores a run from its URL', async () => {
    await page.goto(`${base}?${new URLSearchParams(RUN)}`);
    await page.waitForSelector('body[data-trained="0"][data-frames]', { timeout: 30_000 });
    for (const [key, value] of Object.entries(RUN)) {
      expect(await page.inputValue(`#${key}`), key).toBe(value);
    }
    // the drawn network is 2 → 6 → 6 → 1, a heat map on every neuron
    expect(await page.locator('#network [data-layer]').count()).toBe(6 + 6 + 1);
    expect(await page.locator('#network [data-neuron-map]').count()).toBe(2 + 6 + 6 + 1);
    expect(await page.isHidden('#warnings')).toBe(true);
    expect(errors).toEqual([]);
  });

  it('draws the plane square, with axes: one unit is as long along x₁ as along x₂', async () => {
    const ticks = async (axis: string) =>
      page.$$eval(
        `#boundary-axes text[data-axis="${axis}"]`,
        (ts, a) => ts.map((t) => ({ v: Number(t.textContent), at: Number(t.getAttribute(a)) })),
        axis,
      );
    const xs = await ticks('x');
    const ys = await ticks('y');
    expect(xs.length).toBeGreaterThanOrEqual(3);
    expect(ys.length).toBeGreaterThanOrEqual(3);
    const perUnit = (t: { v: number; at: number }[]) =>
      Math.abs(
        ((t[t.length - 1]?.at as number) - (t[0]?.at as number)) /
          ((t[t.length - 1]?.v as number) - (t[0]?.v as number)),
      );
    expect(perUnit(xs)).toBeCloseTo(perUnit(ys), 6);
    // and the canvas is square on screen
    const box = await page.locator('#boundary').boundingBox();
    expect(Math.abs((box?.width ?? 0) - (box?.height ?? 1))).toBeLessThan(1);
  });

  it('takes single steps with the same losses as the same run in Node', async () => {
    const node = new Trainer(parseState(`?${new URLSearchParams(RUN)}`).state);
    for (let s = 1; s <= 3; s++) {
      await page.click(q('step'));
      await page.waitForSelector(`body[data-trained="${s}"]`);
      expect(await stat(page, 'loss')).toBe(node.step());
    }
    expect(await stat(page, 'train-accuracy')).toBe(node.accuracy(node.train));
    expect(await stat(page, 'test-loss')).toBe(node.loss(node.test));
  });

  it('trains two moons to ≥ 95 % held-out accuracy at full speed, with both loss curves drawn', async () => {
    await page.selectOption(q('pace'), '0');
    type Reached = { steps: number; text: string };
    await page.evaluate(() => {
      (window as unknown as { reached: Promise<Reached> }).reached = new Promise<Reached>((resolve) => {
        const shown = (id: string) => Number(document.getElementById(id)?.dataset.value);
        const acc = document.getElementById('test-accuracy') as HTMLElement;
        const observer = new MutationObserver(() => {
          if (shown('test-accuracy') < 0.95) return;
          observer.disconnect();
          resolve({ steps: shown('step-count'), text: acc.textContent ?? '' });
        });
        observer.observe(acc, { childList: true, characterData: true, subtree: true, attributes: true });
      });
    });
    await page.click(q('start'));
    const { steps, text } = await page.evaluate(() => (window as unknown as { reached: Promise<Reached> }).reached);
    await page.click(q('start')); // pause
    await page.waitForFunction(() => document.getElementById('rate')?.textContent === '–');
    expect(steps).toBeGreaterThan(0);
    expect(steps).toBeLessThanOrEqual(STEP_BOUND);
    expect(text).toMatch(/^(9[5-9]|100)\.\d%$/);
    for (const series of ['train-loss', 'test-loss']) {
      const points = (await page.getAttribute(`[data-series="${series}"]`, 'points')) ?? '';
      expect(points.split(' ').length, series).toBeGreaterThan(3);
    }
    expect(errors).toEqual([]);
  });

  it('paints the heat map of the trained state: each cell the colour of the output Node computes', async () => {
    const steps = await stat(page, 'step');
    const node = new Trainer(parseState(`?${new URLSearchParams(RUN)}`).state);
    for (let s = 0; s < steps; s++) node.step();
    const res = GRID_RES;
    const grid = node.grid(res);
    const canvas = 300;
    const dots = node.train.x.map((p) => [
      ((p[0] - node.domain[0]) / (node.domain[1] - node.domain[0])) * canvas,
      ((node.domain[3] - p[1]) / (node.domain[3] - node.domain[2])) * canvas,
    ]);
    const cells: { at: [number, number]; want: number[] }[] = [];
    for (let r = 0; r < res; r += 2) {
      for (let c = 0; c < res; c += 2) {
        const at: [number, number] = [
          Math.round(((c + 0.5) * canvas) / res - 0.5),
          Math.round(((r + 0.5) * canvas) / res - 0.5),
        ];
        if (dots.some(([x, y]) => Math.hypot((x as number) - at[0], (y as number) - at[1]) < 9)) continue;
        const p = grid[r * res + c] as number;
        cells.push({ at, want: signedColour(signedOutput(p, { regression: false, discretize: false }), 0.75) });
      }
    }
    const got = await pixels(
      page,
      cells.map((c) => c.at),
    );
    const close = got.filter((rgb, i) => rgb.every((v, k) => Math.abs(v - (cells[i]?.want[k] as number)) <= 10));
    expect(cells.length).toBeGreaterThan(200);
    expect(close.length / cells.length).toBeGreaterThan(0.9);
    // and both classes are present: blue where P(1) > 0.5, orange elsewhere
    const blue = got.filter(([r, , b]) => b > r + 40).length;
    const orange = got.filter(([r, , b]) => r > b + 40).length;
    expect(Math.min(blue, orange)).toBeGreaterThan(20);
  });

  it('traces a clicked dot: the ring is drawn around it and the inspector follows it', async () => {
    const node = new Trainer(parseState(`?${new URLSearchParams(RUN)}`).state);
    const d = node.domain;
    const at = (i: number) => {
      const p = node.train.x[i] as [number, number];
      return [((p[0] - d[0]) / (d[1] - d[0])) * 300, ((d[3] - p[1]) / (d[3] - d[2])) * 300] as [number, number];
    };
    // an isolated point: no other within 16 px
    const index = node.train.x.findIndex(
      (_, i) =>
        i > 0 && node.train.x.every((_, k) => k === i || Math.hypot(at(k)[0] - at(i)[0], at(k)[1] - at(i)[1]) > 16),
    );
    expect(index).toBeGreaterThan(0);
    const [x, y] = at(index);
    const ring = () => pixels(page, [[Math.round(x + 6), Math.round(y)]]);
    const before = (await ring())[0] as number[];
    expect(before.reduce((a, b) => a + b)).toBeGreaterThan(300); // not dark yet
    await page.click('#boundary', {
      position: {
        x: (x * ((await page.locator('#boundary').boundingBox())?.width ?? 300)) / 300,
        y: (y * ((await page.locator('#boundary').boundingBox())?.height ?? 300)) / 300,
      },
    });
    await page.waitForSelector(`#boundary[data-probe="${index}"]`, { timeout: 30_000 });
    const after = (await ring())[0] as number[];
    expect(after.reduce((a, b) => a + b)).toBeLessThan(200); // the black ring
    expect(await page.inputValue(q('trace'))).toBe(String(index));
  });

  it("opens a clicked neuron's inspector: δ equals F5 evaluated with the numbers shown", async () => {
    await page.click('#network [data-layer="2"][data-unit="0"]');
    await page.waitForSelector('#inspector[data-layer="2"] .katex', { timeout: 30_000 });
    const out = await page.$eval('#inspector', (d) => ({ ...(d as HTMLElement).dataset }));
    expect([out.layer, out.unit]).toEqual(['2', '0']);
    expect(Number(out.delta)).toBeCloseTo(Number(out.deltaFormula), 6);
    await page.click('#network [data-layer="0"][data-unit="1"]');
    await page.waitForSelector('#inspector[data-layer="0"][data-unit="1"] .katex', { timeout: 30_000 });
    const data = await page.$eval('#inspector', (d) => ({ ...(d as HTMLElement).dataset }));
    const delta = Number(data.delta);
    expect(Number.isFinite(delta)).toBe(true);
    expect(delta).not.toBe(0);
    expect(Math.abs(delta - Number(data.deltaFormula))).toBeLessThan(1e-6 * Math.max(1, Math.abs(delta)));
    expect(Math.abs(Number(data.z) - Number(data.zFormula))).toBeLessThan(1e-5);
    expect(await page.textContent('#delta-autodiff')).toBe(delta.toPrecision(6));
    expect(await page.locator('#inspector .katex').count()).toBe(3);
    expect(await page.textContent('#inspector')).toContain('F5, F8');
    // no formula is clipped: each fits its box (shrunk if need be)
    await page.evaluate(() => document.fonts.ready);
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLElement>('#inspector .formula')].every(
        (f) => f.scrollWidth <= f.clientWidth + 1,
      ),
    );
    expect(errors).toEqual([]);
  });

  it('opens the inspector from the keyboard, and shows a neuron large on focus', async () => {
    await page.focus('#network [data-layer="1"][data-unit="2"]');
    await page.waitForSelector('#zoom:not([hidden])');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#inspector[data-layer="1"][data-unit="2"] .katex', { timeout: 30_000 });
    await page.focus('#network [data-layer="1"][data-unit="3"]');
    await page.keyboard.press(' ');
    await page.waitForSelector('#inspector[data-layer="1"][data-unit="3"]', { timeout: 30_000 });
    // the example to trace, typed
    await page.fill(q('trace'), '7');
    await page.press(q('trace'), 'Enter');
    await page.waitForSelector('#boundary[data-probe="7"]', { timeout: 30_000 });
  });

  it('applies a learning-rate change live, without a restart, and writes it into the URL', async () => {
    const steps = await stat(page, 'step');
    expect(steps).toBeGreaterThan(0);
    const n = await frames(page);
    await page.fill(q('lr'), '0.005');
    await page.press(q('lr'), 'Tab');
    await page.waitForFunction(() => new URLSearchParams(location.search).get('lr') === '0.005');
    await framesAfter(page, n); // the worker's answer to the change
    expect(await stat(page, 'step')).toBe(steps);
    await page.selectOption(q('regularization'), 'l2');
    await page.selectOption(q('reg-rate'), '0.01');
    await page.waitForFunction(() => new URLSearchParams(location.search).get('regRate') === '0.01');
    expect(url(page).get('reg')).toBe('l2');
    expect(await stat(page, 'step')).toBe(steps);
  });

  it('resets: step 0, empty curves, and the plot of the untrained network again', async () => {
    await page.click(q('reset'));
    await page.waitForSelector('body[data-trained="0"]');
    expect(await page.getAttribute('[data-series="train-loss"]', 'points')).toBe('');
    const testPoints = (await page.getAttribute('[data-series="test-loss"]', 'points')) ?? '';
    expect(testPoints.split(' ').filter(Boolean).length).toBeLessThanOrEqual(1);
    // the same pixels as a fresh page of the same run
    const fresh = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
    await fresh.goto(page.url());
    await fresh.waitForSelector('body[data-frames]', { timeout: 30_000 });
    const image = (p: Page) => p.$eval('#boundary', (c) => (c as HTMLCanvasElement).toDataURL());
    expect(await image(page)).toBe(await image(fresh));
    await fresh.close();
  });

  it('trains at the chosen pace: at 5 steps/s, about 5 steps a second, each shown', async () => {
    await page.selectOption(q('pace'), '5');
    const t0 = await page.evaluate(() => performance.now());
    await page.click(q('start'));
    await page.waitForFunction(() => Number(document.body.dataset.trained) >= 6, null, { timeout: 30_000 });
    await page.click(q('start'));
    const elapsed = ((await page.evaluate(() => performance.now())) - t0) / 1000;
    const steps = await stat(page, 'step');
    // the pace is an upper bound: a loaded machine may only be slower
    expect(steps).toBeLessThanOrEqual(5 * elapsed + 3);
    expect(elapsed).toBeGreaterThan(0.9);
  });

  it('at one step a second, lights the edges up from the output back to the inputs: δ travelling back', async () => {
    await page.selectOption(q('pace'), '1');
    const steps = await stat(page, 'step');
    await page.click(q('start'));
    // the output layer's edges first, then the hidden layers' (the network is 2 → 6 → 6 → 1)
    await page.waitForSelector('#network [data-edges="2"].pulse', { timeout: 30_000 });
    await page.waitForSelector('#network [data-edges="0"].pulse', { timeout: 30_000 });
    await page.click(q('start'));
    expect(await stat(page, 'step')).toBeGreaterThan(steps);
  });

  it(
    'keeps training for the whole run at full speed, and pausing stops the counter within 0.5 s',
    async () => {
      await page.setViewportSize({ width: 1200, height: 1400 });
      await page.goto(`${base}?hidden=16,16,16&pace=0`);
      await page.waitForSelector('body[data-frames]', { timeout: 30_000 });
      // the page's own clock: when did the counter last change?
      await page.evaluate(() => {
        const w = window as unknown as { changes: [number, number, number][] };
        w.changes = [];
        const dd = document.querySelector('[data-stat="step"]') as HTMLElement;
        new MutationObserver(() => {
          const step = Number(dd.dataset.value);
          if (step !== w.changes[w.changes.length - 1]?.[1]) {
            w.changes.push([performance.now(), step, Number(document.body.dataset.frames)]);
          }
        }).observe(dd, { attributes: true });
      });
      await page.click(q('start'));
      // neuron clicks during training always open the inspector: the elements stay in place
      const targets = [
        [0, 3],
        [1, 15],
        [2, 0],
        [3, 0],
        [0, 9],
        [1, 1],
      ] as const;
      for (const [layer, unit] of targets) {
        await page.click(`#network [data-layer="${layer}"][data-unit="${unit}"]`);
        await page.waitForSelector(`#inspector[data-layer="${layer}"][data-unit="${unit}"]`, { timeout: 10_000 });
      }
      await page.waitForTimeout(ENDURANCE_S * 1000);
      const moving = await stat(page, 'step');
      await page.waitForFunction((s) => Number(document.body.dataset.trained) > s, moving, { timeout: 30_000 });
      const pausedAt = await page.evaluate(() => {
        (document.querySelector('[data-control="start"]') as HTMLButtonElement).click();
        return performance.now();
      });
      await page.waitForTimeout(1500);
      const { changes, now } = await page.evaluate(() => ({
        changes: (window as unknown as { changes: [number, number, number][] }).changes,
        now: performance.now(),
      }));
      const lastChange = changes[changes.length - 1] as [number, number, number];
      // at most two frames after the pause moved the counter: the one in flight and the worker's last
      const pausedAtFrame = Number(await page.getAttribute('body', 'data-paused-at-frame'));
      console.log(
        `after ${ENDURANCE_S} s at full speed (16-16-16): ${lastChange[1]} steps, ${await frames(page)} frames; the counter stopped ${(lastChange[0] - pausedAt).toFixed(0)} ms after pause`,
      );
      expect(now - pausedAt).toBeGreaterThan(1400);
      expect(lastChange[0] - pausedAt).toBeLessThan(500);
      expect(lastChange[2]).toBeLessThanOrEqual(pausedAtFrame + 2);
      expect(lastChange[1]).toBeGreaterThan(1000);
      expect(errors).toEqual([]);
    },
    120_000 + ENDURANCE_S * 1000,
  );

  it('adds and removes layers and neurons, down to no hidden layer', async () => {
    await page.goto(`${base}?hidden=3`);
    await page.waitForSelector('body[data-frames]', { timeout: 30_000 });
    await page.click(`${q('add-neuron')}[data-layer="0"]`);
    await page.waitForFunction(() => new URLSearchParams(location.search).get('hidden') === '4');
    await page.click(q('add-layer'));
    await page.waitForFunction(() => new URLSearchParams(location.search).get('hidden') === '4,4');
    await page.click(`${q('remove-neuron')}[data-layer="1"]`);
    await page.waitForFunction(() => new URLSearchParams(location.search).get('hidden') === '4,3');
    await page.waitForFunction(() => document.querySelectorAll('#network [data-layer]').length === 4 + 3 + 1);
    await page.click(q('remove-layer'));
    await page.click(q('remove-layer'));
    await page.waitForFunction(() => new URLSearchParams(location.search).get('hidden') === '');
    await page.waitForFunction(() => document.querySelectorAll('#network [data-layer]').length === 1);
    await page.click(q('step'));
    await page.waitForSelector('body[data-trained="1"]');
    expect(await page.isDisabled(q('remove-layer'))).toBe(true);
  });

  it('takes input features, drawing one input neuron each', async () => {
    await page.check('[data-control="features"] [data-feature="x1x2"]');
    await page.uncheck('[data-control="features"] [data-feature="x2"]');
    await page.waitForFunction(() => new URLSearchParams(location.search).get('features') === 'x1,x1x2');
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('#network [data-feature]')].map((g) => g.getAttribute('data-feature')).join() ===
        'x₁,x₁x₂',
    );
    // the x₁x₂ map: blue where x₁x₂ > 0 (top right), orange where < 0 (top left)
    const [tl, tr] = await page.$eval('#network [data-feature="x₁x₂"] canvas', (c) => {
      const ctx = (c as HTMLCanvasElement).getContext('2d') as CanvasRenderingContext2D;
      const n = (c as HTMLCanvasElement).width;
      return [ctx.getImageData(1, 1, 1, 1).data, ctx.getImageData(n - 2, 1, 1, 1).data].map((d) => [d[0], d[1], d[2]]);
    });
    expect((tr as number[])[2]).toBeGreaterThan((tr as number[])[0] as number);
    expect((tl as number[])[0]).toBeGreaterThan((tl as number[])[2] as number);
  });

  it('solves Gaussian blobs and shows the held-out points on request', async () => {
    await page.selectOption(q('data'), 'gauss');
    await page.waitForFunction(() => new URLSearchParams(location.search).get('data') === 'gauss');
    const image = () => page.$eval('#boundary', (c) => (c as HTMLCanvasElement).toDataURL());
    const without = await image();
    await page.check(q('show-test'));
    await page.waitForFunction(() => new URLSearchParams(location.search).get('showTest') === '1');
    expect(await image()).not.toBe(without);
  });

  it('discretizes the output: two colours only', async () => {
    await page.goto(`${base}?data=moons&hidden=4&discretize=1&pace=0`);
    await page.waitForSelector('body[data-frames]', { timeout: 30_000 });
    await page.click(q('start'));
    await page.waitForFunction(() => Number(document.body.dataset.trained) > 300, null, { timeout: 60_000 });
    await page.click(q('start'));
    await page.waitForFunction(() => document.getElementById('rate')?.textContent === '–');
    const at: [number, number][] = [];
    for (let y = 2; y < 300; y += 15) for (let x = 2; x < 300; x += 15) at.push([x, y]);
    const colours = new Set((await pixels(page, at)).map((c) => c.join()));
    const strong = (c: readonly number[]) =>
      signedColour(c === C1 ? 1 : -1, 0.6)
        .map(Math.round)
        .join();
    // dots may cover a few samples; the plane itself is two colours
    const plane = [...colours].filter((c) => c === strong(C1) || c === strong(C0));
    expect(plane.length).toBe(2);
    expect(colours.size).toBeLessThan(at.length / 4);
  });

  it('poses regression problems and splits the points by the chosen ratio', async () => {
    await page.selectOption(q('problem'), 'regression');
    await page.waitForFunction(() => new URLSearchParams(location.search).get('problem') === 'regression');
    expect(await page.$$eval(`${q('data')} option`, (os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual([
      'plane',
      'bumps',
    ]);
    await page.$eval(q('test-ratio'), (r) => {
      (r as HTMLInputElement).value = '70';
      r.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await page.waitForFunction(() => new URLSearchParams(location.search).get('ratio') === '70');
    await page.click(q('step'));
    await page.waitForSelector('body[data-trained="1"]');
    expect(await page.textContent('[data-stat="train-accuracy"]')).toBe('–');
    const node = new Trainer(parseState(new URL(page.url()).search).state);
    expect([node.train.x.length, node.test.x.length]).toEqual([280, 120]);
    expect(await stat(page, 'loss')).toBe(node.step());
    await page.click('#network [data-layer="1"][data-unit="0"]');
    await page.waitForSelector('#inspector[data-layer="1"] .katex', { timeout: 30_000 });
    expect(await page.textContent('#inspector')).toContain('F2, F10 (N = 1)');
  });

  it('hides the controls a classroom URL names', async () => {
    await page.goto(`${base}?hide=lr,features,regularization`);
    await page.waitForSelector('body[data-frames]', { timeout: 30_000 });
    for (const name of ['lr', 'features', 'regularization']) expect(await page.isVisible(q(name)), name).toBe(false);
    for (const name of ['start', 'step', 'reset', 'pace', 'problem', 'test-ratio']) {
      expect(await page.isVisible(q(name)), name).toBe(true);
    }
  });

  it('shows the gradient flow: with six sigmoid layers, layer 1 far below layer 6 (F23)', async () => {
    await page.goto(`${base}?pace=0`);
    await page.waitForSelector('body[data-frames]', { timeout: 30_000 });
    await page.click(q('preset-sigmoid'));
    await page.waitForFunction(() => Number(document.body.dataset.trained) > 50, null, { timeout: 60_000 });
    await page.click(q('start'));
    expect(url(page).get('act')).toBe('sigmoid');
    expect(await page.locator('#flow-chart polyline').count()).toBe(7);
    const meanY = (l: number) =>
      page.$eval(`[data-series="grad-norm-${l}"]`, (p) => {
        const ys = (p.getAttribute('points') ?? '').split(' ').map((xy) => Number(xy.split(',')[1]));
        return ys.reduce((a, b) => a + b, 0) / ys.length;
      });
    // SVG y grows downwards: a smaller norm is drawn lower
    expect(await meanY(0)).toBeGreaterThan((await meanY(5)) + 40);
    const href = await page.getAttribute('#f23-link', 'href');
    expect(href).toMatch(/docs\/backprop\.md#vanishing-gradients$/);
  });

  it('walks a tour: ?tour=xor sets up each stop, with its formula and a link to its section', async () => {
    await page.goto(`${base}?tour=xor&pace=0`);
    await page.waitForSelector('#tour[data-stop="0"] .katex', { timeout: 30_000 });
    expect(url(page).get('data')).toBe('xor');
    expect(url(page).get('hidden')).toBe('');
    await page.click(q('tour-next'));
    await page.waitForSelector('#tour[data-stop="1"]');
    await page.waitForFunction(() => new URLSearchParams(location.search).get('hidden') === '2');
    expect(await page.getAttribute('#tour-link', 'href')).toMatch(/#worked-example-xor-with-two-relu-units$/);
    expect(await page.textContent('#tour-refs')).toBe('F5, F9, F11');
    await page.click(q('tour-back'));
    await page.waitForSelector('#tour[data-stop="0"]');
    for (const tour of ['vanishing', 'chain-rule']) {
      await page.goto(`${base}?tour=${tour}`);
      await page.waitForSelector(`#tour[data-tour="${tour}"] .katex`, { timeout: 60_000 });
    }
    // the chain-rule tour opens the stepper on its expression
    await page.waitForSelector('#graph svg', { timeout: 60_000 });
    expect(await page.getAttribute('#stepper', 'open')).not.toBeNull();
  });

  it('steps the scalar graph backward and back, naming drawn nodes, to the grads of Value.backward()', async () => {
    await page.goto(base);
    await page.waitForSelector('body[data-frames]', { timeout: 30_000 });
    await page.click('#stepper summary');
    await page.fill('#expr', EXPR);
    await page.fill('#vars', VARS);
    await page.click('#build');
    await page.waitForSelector('#graph svg', { timeout: 60_000 });
    const { root } = buildExpression(EXPR, parseVars(VARS));
    root.backward();
    const { topoSort } = await import('@chainrule/core');
    const order = topoSort(root) as (typeof root)[];
    const drawn = (await page.textContent('#graph svg')) ?? '';
    for (let i = 0; i < order.length; i++) expect(drawn).toContain(`n${i}`);
    for (let k = 0; k < order.length; k++) {
      await page.click(q('backward-step'));
      await page.waitForSelector(`#steps-log li:nth-child(${k + 1})`);
      const li = page.locator(`#steps-log li:nth-child(${k + 1})`);
      const node = Number(await li.getAttribute('data-node'));
      expect(node).toBe(order.length - 1 - k);
      expect(Number(await li.getAttribute('data-grad'))).toBeCloseTo((order[node] as typeof root).grad, 12);
      if (k === 2) {
        // one back, then forward again: the same record
        await page.click(q('backward-back'));
        await page.waitForFunction((n) => document.querySelectorAll('#steps-log li').length === n, k);
        await page.waitForFunction((n) => document.querySelectorAll('#graph g.node.done').length === n, k - 1);
        await page.click(q('backward-step'));
        await page.waitForSelector(`#steps-log li:nth-child(${k + 1})`);
        expect(Number(await li.getAttribute('data-node'))).toBe(node);
      }
    }
    await page.click(q('backward-step')); // past the end: nothing more
    expect(await page.locator('#steps-log li').count()).toBe(order.length);
    await page.waitForFunction((n) => document.querySelectorAll('#graph g.node.done').length === n - 1, order.length);
    const leafA = order.find((v) => v.label === 'a') as (typeof order)[number];
    expect(await page.textContent('#graph svg')).toContain(`grad ${leafA.grad.toPrecision(4)}`);
    mkdirSync(dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(errors).toEqual([]);
  });

  it('has no axe-core violations, with the inspector, a tour and the stepper open', async () => {
    const require = createRequire(import.meta.url);
    const axe = require('axe-core') as { source: string };
    await page.goto(`${base}?tour=xor`);
    await page.waitForSelector('#tour .katex', { timeout: 30_000 });
    await page.click('#network [data-layer="0"][data-unit="0"]');
    await page.waitForSelector('#inspector .katex', { timeout: 30_000 });
    await page.click('#stepper summary');
    await page.waitForSelector('#graph svg', { timeout: 60_000 });
    await page.addScriptTag({ content: axe.source });
    const violations = await page.evaluate(async () => {
      const result = await (
        window as unknown as {
          axe: { run: () => Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> };
        }
      ).axe.run();
      return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    });
    expect(violations).toEqual([]);
  });

  it('fits a phone: nothing overflows at 390 px, and the graph text stays legible', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    watch(phone);
    await phone.goto(`${base}?hidden=8,8`);
    await phone.waitForSelector('body[data-frames]', { timeout: 30_000 });
    await phone.click('#stepper summary');
    await phone.waitForSelector('#graph svg', { timeout: 60_000 });
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const net = await phone.locator('#network').boundingBox();
    const card = await phone
      .locator('#network')
      .evaluate((n) => (n.closest('.panel') as HTMLElement).getBoundingClientRect().right);
    expect((net?.x ?? 0) + (net?.width ?? 0)).toBeLessThanOrEqual(card);
    const heights = await phone.$$eval('#graph svg text', (ts) => ts.map((t) => t.getBoundingClientRect().height));
    expect(Math.min(...heights)).toBeGreaterThanOrEqual(9);
    const netText = await phone.$$eval('#network text', (ts) => ts.map((t) => t.getBoundingClientRect().height));
    expect(Math.min(...netText)).toBeGreaterThanOrEqual(9);
    await phone.close();
    expect(errors).toEqual([]);
  });
});

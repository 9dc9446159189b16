// The documentation site (`pnpm run docs` builds it into site/; `pnpm test` builds it first):
// its link checker finds what is broken, and headless Chromium walks the built site: the landing
// page, a search for conv2d that leads to its API page, the API grouped by topic, a guide and the
// playground. Skipped, with a note, without Chromium or without site/, except under CI.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, relative, resolve, sep } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLinks, siteDir } from '../../scripts/site';

const CHROMIUM = '/usr/bin/chromium';
const ready = existsSync(CHROMIUM) && existsSync(join(siteDir, 'index.html'));
if (!ready && process.env.CI) throw new Error(`the site test needs ${CHROMIUM} and site/ (pnpm run docs)`);
if (!ready) console.warn('documentation site tests SKIPPED: run `pnpm run docs` (and install chromium)');

describe('the link checker', () => {
  it('reports a missing page, a missing anchor and a missing script; follows good links', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chainrule-links-'));
    try {
      mkdirSync(join(dir, 'sub'));
      writeFileSync(
        join(dir, 'index.html'),
        '<a href="sub/a.html#here">ok</a> <a href="sub/">ok</a> <a href="https://example.org/x">out</a> ' +
          '<a href="#top">ok</a> <a id="top"></a> <a href="gone.html">bad</a> <a href="sub/a.html#nowhere">bad</a>',
      );
      writeFileSync(join(dir, 'sub/index.html'), '<script src="../app.js"></script>');
      writeFileSync(join(dir, 'sub/a.html'), '<h2 id="here">x</h2><img src="../pic.svg">');
      writeFileSync(join(dir, 'pic.svg'), '<svg/>');
      const { pages, links, broken } = checkLinks(dir);
      expect([pages, links]).toEqual([3, 7]);
      expect(broken).toEqual([
        'index.html: gone.html (no such file in the site)',
        'index.html: sub/a.html#nowhere (no id "nowhere" in sub/a.html)',
        'sub/index.html: ../app.js (no such file in the site)',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the Markdown of the repository', () => {
  it('links only to files of the repository (or to the web)', () => {
    const root = resolve(siteDir, '..');
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.md'], {
      cwd: root,
      encoding: 'utf8',
    })
      .split('\n')
      .filter((f) => f !== '' && existsSync(join(root, f)));
    expect(files).toEqual(expect.arrayContaining(['README.md', 'CONTRIBUTING.md', 'ARCHITECTURE.md']));
    const bad: string[] = [];
    for (const file of files) {
      const text = readFileSync(join(root, file), 'utf8').replace(/```[\s\S]*?```/g, '');
      // links, and relative paths written as code (`../shared/DESIGN.md` pointed outside once)
      const links = [...text.matchAll(/\]\(([^)\s]+)\)|\shref="([^"]+)"|`(\.\.\/[^`\s]+)`/g)].map(
        (m) => m[1] ?? m[2] ?? m[3] ?? '',
      );
      for (const link of links) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(link) || link.startsWith('#')) continue;
        if (link.startsWith('playground/') && file === 'docs/index.md') continue; // a folder of the built site
        const target = resolve(root, dirname(file), decodeURIComponent(link.split('#')[0] ?? ''));
        if (relative(root, target).startsWith('..') || !existsSync(target)) bad.push(`${file}: ${link}`);
      }
    }
    expect(bad).toEqual([]);
  });
});

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

describe.skipIf(!ready)('the documentation site in headless Chromium', () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  let base = '';
  const errors: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/favicon.ico') return void res.writeHead(204).end(); // the site has none
      const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      let file = join(siteDir, path);
      if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
      const inside = file.startsWith(siteDir + sep) && existsSync(file);
      res.writeHead(inside ? 200 : 404, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(inside ? readFileSync(file) : '');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
    page = await browser.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`${m.text()} (${m.location().url})`);
    });
    page.on('pageerror', (e) => errors.push(e.message));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('opens the landing page, with the guides, the three API modules and the playground', async () => {
    await page.goto(base);
    expect(await page.title()).toBe('chainrule');
    const links = await page
      .locator('.tsd-typography a')
      .evaluateAll((as) => as.map((a) => [a.textContent?.trim(), a.getAttribute('href')]));
    expect(links).toEqual(
      expect.arrayContaining([
        ["The learner's path", 'documents/The_learner_s_path.html'],
        ['Backpropagation, formula by formula', 'documents/Backpropagation.html'],
        ['@chainrule/core', 'modules/_chainrule_core.html'],
        ['@chainrule/nn', 'modules/_chainrule_nn.html'],
        ['The playground', 'playground/index.html'],
      ]),
    );
    expect(errors).toEqual([]);
  });

  it('finds conv2d with the search box and opens its API page', async () => {
    await page.goto(base);
    await page.click('#tsd-search-trigger');
    await page.fill('#tsd-search-input', 'conv2d');
    const first = page.locator('#tsd-search-results li a').first();
    await first.waitFor({ timeout: 15_000 });
    const results = await page.locator('#tsd-search-results li').allTextContents();
    expect(results.some((r) => r.includes('conv2d'))).toBe(true);
    await page
      .locator('#tsd-search-results li a', { hasText: /^conv2d$|@chainrule\/core\.conv2d/ })
      .first()
      .click();
    await page.waitForURL(/functions\/_chainrule_core\.conv2d\.html$/);
    expect(await page.locator('h1').textContent()).toMatch(/Function conv2d/);
    // the signature and the doc comment: PyTorch's layout, the options
    const body = await page.locator('.col-content').textContent();
    expect(body).toMatch(/conv2d\(/);
    expect(body).toMatch(/padding/);
    expect(errors).toEqual([]);
  });

  it('lists the API of @chainrule/core by topic, internals last', async () => {
    await page.goto(`${base}modules/_chainrule_core.html`);
    const topics = await page.locator('.col-content h2').allTextContents();
    const order = ['Creation', 'Math', 'Indexing', 'Reductions', 'Autograd and transforms', 'Layers', 'Losses'];
    const at = order.map((t) => topics.findIndex((h) => h.trim() === t));
    expect(
      at.every((i) => i >= 0),
      topics.join(' | '),
    ).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(topics.at(-1)?.trim()).toBe('Internals');
    const nn = await (await page.goto(`${base}modules/_chainrule_nn.html`))?.text();
    for (const topic of ['Layers', 'Losses', 'Optimizers', 'Schedulers', 'Data', 'Serialization']) {
      expect(nn).toContain(`>${topic}<`);
    }
  });

  it('shows a guide with its pictures, and serves the playground', async () => {
    await page.goto(`${base}documents/Backpropagation.html`);
    expect(await page.locator('h1').first().textContent()).toMatch(/Backpropagation, formula by formula/);
    const images = await page
      .locator('.tsd-typography img')
      .evaluateAll((imgs) => imgs.map((img) => (img as unknown as { naturalWidth: number }).naturalWidth));
    expect(images.length).toBeGreaterThanOrEqual(2);
    expect(images.every((w) => w > 0)).toBe(true);
    const playground = await page.goto(`${base}playground/index.html`);
    expect(playground?.status()).toBe(200);
    expect(await page.locator('#network').count()).toBe(1);
  });
});

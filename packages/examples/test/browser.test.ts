// The README's browser example, as written, in headless Chromium: served next to a node_modules that
// holds the built packages (as after `npm install`), it must train and print the same numbers as
// Node running the same module script. Chromium is Debian's (`apt-get install chromium`, which
// .ci/run does when it is missing), driven by playwright-core; no browser is downloaded.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeBlocks, repoRoot } from './markdown';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(executablePath);
if (!hasChromium && process.env.CI) throw new Error(`no Chromium at ${executablePath}: apt-get install chromium`);

const page = codeBlocks('README.md', ['html']).find((b) => b.code.includes('importmap'));
const types: Record<string, string> = { '.js': 'text/javascript', '.html': 'text/html', '.map': 'application/json' };

/** Serves the page at / and packages/<name>/ at /node_modules/@chainrule/<name>/, read-only. */
function serve(html: string): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const m = /^\/node_modules\/@chainrule\/(core|nn)\/(dist\/(?:shared\/)?[\w.-]+)$/.exec(url.pathname);
    const body = url.pathname === '/' ? html : m ? readFileSync(`${repoRoot}packages/${m[1]}/${m[2]}`) : null;
    if (body === null) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': types[url.pathname === '/' ? '.html' : extname(url.pathname)] ?? 'text/plain',
    });
    res.end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe.skipIf(!hasChromium)('the README browser example (headless Chromium)', () => {
  let server: Server;
  beforeAll(async () => {
    expect(page, 'README.md has an html block with an import map').toBeDefined();
    for (const pkg of ['core', 'nn']) {
      expect(existsSync(`${repoRoot}packages/${pkg}/dist/index.js`), `packages/${pkg} is built`).toBe(true);
    }
    server = await serve(page?.code ?? '');
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('trains in Chromium to the same numbers as in Node', async () => {
    const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
    const errors: string[] = [];
    let shown: string;
    try {
      const tab = await browser.newPage();
      tab.on('pageerror', (e) => errors.push(String(e)));
      await tab.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await tab.locator('#out', { hasText: /^loss / }).waitFor({ timeout: 20_000 });
      shown = (await tab.textContent('#out')) ?? '';
    } finally {
      await browser.close();
    }
    expect(errors).toEqual([]);

    // The same module script in Node, importing the same built files through the package exports.
    const script = /<script type="module">([\s\S]*?)<\/script>/.exec(page?.code ?? '')?.[1] ?? '';
    const dir = `${repoRoot}packages/examples/.snippets/browser/`;
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      `${dir}browser-page.mjs`,
      `globalThis.document = { querySelector: () => ({ set textContent(s) { console.log(s); } }) };\n${script}`,
    );
    let inNode: string;
    try {
      inNode = execFileSync(process.execPath, [`${dir}browser-page.mjs`], { encoding: 'utf8' }).trim();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    expect(shown).toBe(inNode);
    const [, loss, accuracy] = /^loss ([\d.]+), accuracy ([\d.]+)$/.exec(shown) ?? [];
    expect(Number(loss)).toBeLessThan(0.1);
    expect(Number(accuracy)).toBeGreaterThanOrEqual(0.95);
  }, 30_000);
});

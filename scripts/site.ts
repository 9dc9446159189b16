// The documentation site, one static folder (`site/`) that one deploy publishes: `pnpm docs`.
// 1. TypeDoc (typedoc.json, with docs/site/typedoc-plugin.mjs): the landing page (docs/index.md),
//    the guides (docs/learn.md, docs/backprop.md, README.md) and the API reference grouped by topic;
//    an undocumented export, a broken {@link} or an export with no topic fails the build.
// 2. The playground, built by Vite into site/playground/ (its asset URLs are relative).
// 3. Every internal link of the site is followed: each href and src of each HTML page, and each
//    entry of the navigation tree, must name a file of the site, and each #anchor an id of its page.
// Run `pnpm docs`, then open site/index.html; `checkLinks(dir)` is exported for the site's test.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
export const siteDir = join(root, 'site');

/** Every file under dir, as absolute paths. */
function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/** The ids (and names) a page defines: the targets of #anchors. */
function anchorsOf(html: string): Set<string> {
  return new Set([...html.matchAll(/\s(?:id|name)="([^"]+)"/g)].map((m) => decodeURIComponent(m[1] ?? '')));
}

/** The links of a page: every href and src attribute, HTML entities for & decoded. */
function linksOf(html: string): string[] {
  return [...html.matchAll(/\s(?:href|src)="([^"]*)"/g)].map((m) => (m[1] ?? '').replaceAll('&amp;', '&'));
}

/** TypeDoc's navigation tree (assets/navigation.js: base64 of deflated JSON), flattened to paths. */
function navigationPaths(dir: string): string[] {
  const file = join(dir, 'assets/navigation.js');
  if (!existsSync(file)) return [];
  const data = /window\.navigationData = "([^"]+)"/.exec(readFileSync(file, 'utf8'))?.[1] ?? '';
  type Node = { path?: string; children?: Node[] };
  const tree = JSON.parse(inflateSync(Buffer.from(data, 'base64')).toString('utf8')) as Node[];
  const paths: string[] = [];
  const visit = (nodes: Node[]) => {
    for (const n of nodes) {
      if (n.path) paths.push(n.path);
      visit(n.children ?? []);
    }
  };
  visit(tree);
  return paths;
}

/**
 * The broken internal links of the static site in dir, as `page: link (why)`. External links
 * (with a scheme, or protocol-relative) are not followed.
 */
export function checkLinks(dir: string): { pages: number; links: number; broken: string[] } {
  const files = walk(dir);
  const pages = files.filter((f) => f.endsWith('.html'));
  const anchors = new Map<string, Set<string>>();
  const anchorsFor = (file: string) => {
    const set = anchors.get(file) ?? anchorsOf(readFileSync(file, 'utf8'));
    anchors.set(file, set);
    return set;
  };
  const broken: string[] = [];
  let links = 0;
  const follow = (from: string, link: string, where: string) => {
    if (link === '' || /^[a-z][a-z0-9+.-]*:/i.test(link) || link.startsWith('//')) return;
    links++;
    const [pathAndQuery = '', anchor = ''] = link.split('#', 2);
    const path = decodeURIComponent(pathAndQuery.split('?')[0] ?? '');
    let target = path === '' ? from : resolve(dirname(from), path);
    if (existsSync(target) && statSync(target).isDirectory()) target = join(target, 'index.html');
    if (!target.startsWith(dir + sep) || !existsSync(target)) {
      broken.push(`${where}: ${link} (no such file in the site)`);
    } else if (anchor !== '' && target.endsWith('.html') && !anchorsFor(target).has(decodeURIComponent(anchor))) {
      broken.push(`${where}: ${link} (no id "${anchor}" in ${relative(dir, target)})`);
    }
  };
  for (const page of pages) {
    for (const link of linksOf(readFileSync(page, 'utf8'))) follow(page, link, relative(dir, page));
  }
  for (const path of navigationPaths(dir)) follow(join(dir, 'index.html'), path, 'navigation');
  return { pages: pages.length, links, broken };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const node = (cwd: string, args: string[]) => execFileSync(process.execPath, args, { cwd, stdio: 'inherit' });
  node(root, [join(root, 'node_modules/typedoc/bin/typedoc')]);
  const playground = join(root, 'packages/playground');
  const vite = join(playground, 'node_modules/vite/bin/vite.js');
  node(playground, [vite, 'build', '--outDir', join(siteDir, 'playground'), '--emptyOutDir', '--logLevel', 'warn']);
  const { pages, links, broken } = checkLinks(siteDir);
  if (broken.length > 0) {
    console.error(`site/: ${broken.length} broken internal links:\n  ${broken.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`site/: ${pages} pages, ${links} internal links, none broken. Open site/index.html.`);
}

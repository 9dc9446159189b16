// Lets each example file be both a module (its training function is exported) and a script.
import { basename, resolve } from 'node:path';

/**
 * True when the running script is `src/<name>.ts` (or a build of it). Compared by file name, not by
 * import.meta.url, so that importing the examples from a bundle (dist/index.js) runs none of them.
 */
export function isMain(name: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && basename(entry).replace(/\.[cm]?[jt]s$/, '') === name;
}

/**
 * Where the pictures go: `out/` in the directory the command was typed in (pnpm passes it as
 * INIT_CWD when it runs a package script from the repository root), or the first argument.
 */
export function outDir(): string {
  return resolve(process.argv[2] ?? resolve(process.env.INIT_CWD ?? process.cwd(), 'out'));
}

/** Seconds since `t0` (a performance.now() reading), to one decimal. */
export function since(t0: number): string {
  return ((performance.now() - t0) / 1000).toFixed(1);
}

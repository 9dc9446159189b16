// Lets each example file be both a module (its training function is exported) and a script.
import { basename } from 'node:path';

/**
 * True when the running script is `src/<name>.ts` (or a build of it). Compared by file name, not by
 * import.meta.url, so that importing the examples from a bundle (dist/index.js) runs none of them.
 */
export function isMain(name: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && basename(entry).replace(/\.[cm]?[jt]s$/, '') === name;
}

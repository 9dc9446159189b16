/** The repository's root folder (vite.config.ts defines it), for links to docs/ in development. */
declare const __REPO_ROOT__: string;

// A TypeDoc plugin for the documentation site (typedoc.json loads it):
// - files every export of the API under a topic (its `@category`): a `@category` tag in the
//   export's own doc comment wins; otherwise its name in NAMES below, otherwise the file that
//   declares it (FILES). An export under no topic fails the build, naming the file to edit.
// - titles each guide (typedoc.json `projectDocuments`) from TITLES, else with its first `# `
//   heading, so that the Markdown files need no front matter to read well on GitHub and on the site.
// - points the guides' links to files of the repository that are neither pages nor pictures of the
//   site (source files, folders) at the repository on GitHub; a relative link to anything else fails the build,
//   but for the site's own folders (SITE_PATHS). scripts/site.ts then checks every link of the
//   built site.
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Comment, CommentTag, Converter, ReflectionKind } from 'typedoc';

/** The repository's address for files that are not pages of the site (package.json says the same). */
export const REPOSITORY = 'https://github.com/chainrule/chainrule/blob/main/';
/** Folders that are part of the built site but not of TypeDoc's output (scripts/site.ts adds them). */
export const SITE_PATHS = ['playground/'];
/** Files that TypeDoc copies into the site (media/) for the guides that show them. */
const PICTURES = /\.(svg|png|jpe?g|gif|webp)$/i;
const root = fileURLToPath(new URL('../..', import.meta.url));
/** The guides' titles on the site (and so their pages' names), by path in the repository. */
const TITLES = {
  'README.md': 'Quick start and tour',
  'docs/learn.md': "The learner's path",
  'docs/backprop.md': 'Backpropagation',
};

/** The topics, in the order the site lists them (typedoc.json `categoryOrder` repeats it). */
export const TOPICS = [
  'Creation',
  'Tensor',
  'Math',
  'Indexing',
  'Sorting',
  'Shape',
  'Reductions',
  'Autograd and transforms',
  'Scalar graph',
  'Layers',
  'Initialisation',
  'Losses',
  'Optimizers',
  'Schedulers',
  'Data',
  'Serialization',
  'Kernels',
  'Errors and printing',
  'Internals',
];

/** Exports whose topic is not their file's. Names may be listed before they exist. */
const NAMES = {
  // @chainrule/core
  broadcastShape: 'Shape',
  embedding: 'Layers',
  linear: 'Layers',
  crossEntropy: 'Losses',
  noGrad: 'Autograd and transforms',
  isGradEnabled: 'Autograd and transforms',
  gradgradcheck: 'Autograd and transforms',
  customOp: 'Autograd and transforms',
  checkpoint: 'Autograd and transforms',
  func: 'Autograd and transforms',
  topk: 'Sorting',
  sort: 'Sorting',
  argsort: 'Sorting',
  maskedSelect: 'Indexing',
  multinomial: 'Creation',
  randint: 'Creation',
  randperm: 'Creation',
  linspace: 'Creation',
  eye: 'Creation',
  manualSeed: 'Creation',
  // @chainrule/nn
  parameter: 'Layers',
  globalRng: 'Creation',
  kernelInfo: 'Kernels',
  KernelInfo: 'Kernels',
  clipGradNorm: 'Optimizers',
  clipGradValue: 'Optimizers',
  ClipGradNormOptions: 'Optimizers',
};

/** The topic of every export of a file, by the file's path in the repository (first match wins). */
const FILES = [
  [/^packages\/core\/src\/tensor\/(create|dtype|random)\.ts$/, 'Creation'],
  [/^packages\/core\/src\/rng\.ts$/, 'Creation'],
  [/^packages\/core\/src\/tensor\/(tensor|format)\.ts$/, 'Tensor'],
  [/^packages\/core\/src\/tensor\/ops\/convert\.ts$/, 'Tensor'],
  [/^packages\/core\/src\/tensor\/ops\/(binary|unary|matmul|select|softmax)\.ts$/, 'Math'],
  [/^packages\/core\/src\/tensor\/ops\/(indexing|join)\.ts$/, 'Indexing'],
  [/^packages\/core\/src\/tensor\/ops\/sort\w*\.ts$/, 'Sorting'],
  [/^packages\/core\/src\/tensor\/ops\/movement\.ts$/, 'Shape'],
  [/^packages\/core\/src\/tensor\/ops\/reduce\.ts$/, 'Reductions'],
  [/^packages\/core\/src\/tensor\/ops\/(attention|conv|norm|recurrent)\.ts$/, 'Layers'],
  [/^packages\/core\/src\/plans\/conv\.ts$/, 'Layers'],
  [/^packages\/core\/src\/tensor\/ops\/loss\.ts$/, 'Losses'],
  [/^packages\/core\/src\/tensor\/reduction\.ts$/, 'Losses'],
  [/^packages\/core\/src\/(gradcheck|dot)\.ts$/, 'Autograd and transforms'],
  [/^packages\/core\/src\/tensor\/(autograd|custom\w*|checkpoint|func\w*|hooks?)\.ts$/, 'Autograd and transforms'],
  [/^packages\/core\/src\/(func|transforms?)(\/|\.ts$)/, 'Autograd and transforms'],
  [/^packages\/core\/src\/value\.ts$/, 'Scalar graph'],
  [/^packages\/core\/src\/kernels\//, 'Kernels'],
  [/^packages\/core\/src\/errors\.ts$/, 'Errors and printing'],
  [/^packages\/core\/src\/(engine\.ts|tensor\/record\.ts)$/, 'Internals'],
  [/^packages\/nn\/src\/(module\.ts|layers\/)/, 'Layers'],
  [/^packages\/nn\/src\/init\.ts$/, 'Initialisation'],
  [/^packages\/nn\/src\/losses\.ts$/, 'Losses'],
  [/^packages\/nn\/src\/optim\/scheduler\.ts$/, 'Schedulers'],
  [/^packages\/nn\/src\/optim\//, 'Optimizers'],
  [/^packages\/nn\/src\/data\.ts$/, 'Data'],
  [/^packages\/nn\/src\/(safetensors|state|checkpoint)\.ts$/, 'Serialization'],
];

/** The topic of an export: its name's, else its file's; undefined if neither is listed. */
export function topicOf(name, file) {
  if (Object.hasOwn(NAMES, name)) return NAMES[name];
  return FILES.find(([pattern]) => pattern.test(file))?.[1];
}

/** The categories a reflection's own comments already give (its declaration and signatures). */
function ownCategories(reflection) {
  const comments = [reflection.comment, ...(reflection.signatures ?? []).map((s) => s.comment)];
  return comments.some((c) => c?.blockTags.some((t) => t.tag === '@category'));
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  // before TypeDoc's CategoryPlugin, which sorts the categories at RESOLVE_END with priority -200
  app.converter.on(
    Converter.EVENT_RESOLVE_END,
    (context) => {
      for (const mod of context.project.getReflectionsByKind(ReflectionKind.Module)) {
        for (const child of mod.children ?? []) {
          if (ownCategories(child)) continue;
          const file = child.sources?.[0]?.fileName ?? '';
          const topic = topicOf(child.name, file);
          if (!topic) {
            app.logger.error(
              `${mod.name}: the export ${child.name} (${file}) has no topic: give it a @category tag, ` +
                'or list its name or file in docs/site/typedoc-plugin.mjs',
            );
            continue;
          }
          child.comment ??= new Comment();
          child.comment.blockTags.push(new CommentTag('@category', [{ kind: 'text', text: topic }]));
        }
      }
    },
    100,
  );

  // a guide's title
  app.converter.on(Converter.EVENT_CREATE_DOCUMENT, (_context, doc) => {
    const path = relative(root, doc.project.files.getReflectionPath(doc) ?? root);
    const heading = /^# (.+)$/m.exec(doc.content.map((part) => part.text).join(''))?.[1]?.replace(/`/g, '');
    if (!doc.frontmatter.title) doc.name = TITLES[path] ?? heading ?? doc.name;
  });
  // once every guide is a page: links to pages stay, links to other files go to the repository
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    const { project } = context;
    const out = (where) => (part) => linkOut(part, project, app.logger, where);
    if (project.readme) project.readme = project.readme.map(out('the landing page'));
    for (const doc of project.getReflectionsByKind(ReflectionKind.Document))
      doc.content = doc.content.map(out(doc.name));
  });
}

/** A relative link to a repository file that is no page of the site becomes a link to GitHub. */
function linkOut(part, project, logger, where) {
  if (part.kind !== 'relative-link') return part;
  if (SITE_PATHS.some((p) => part.text.startsWith(p))) return { kind: 'text', text: part.text };
  if (part.target === undefined) {
    logger.error(`${where}: the relative link ${part.text} points to no file of the repository`);
    return part;
  }
  const resolved = project.files.resolve(part.target, project);
  if (typeof resolved !== 'string') return part; // a page of the site
  if (PICTURES.test(resolved)) return part; // copied into the site (media/)
  const anchor = part.targetAnchor ? `#${part.targetAnchor}` : '';
  return { kind: 'text', text: REPOSITORY + relative(root, resolved) + anchor };
}

// Doc coverage: every public symbol of a package (what its src/index.ts exports) and every public
// member of its exported classes must carry a doc comment. Read with the TypeScript compiler API
// from the source, so the check needs no build. Used by each package's docs test; run directly
// (`pnpm docs:coverage`) it prints the counts and whatever is missing.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));

export interface Coverage {
  /** Qualified names that have a doc comment, e.g. `tensor`, `Tensor.matmul`. */
  documented: string[];
  /** Qualified names without one. */
  missing: string[];
}

/** The doc coverage of an entry point: `'core'` is packages/core/src/index.ts, `'nn/node'` packages/nn/src/node.ts. */
export function docCoverage(entryPoint: string): Coverage {
  const [pkg, file = 'index'] = entryPoint.split('/');
  const entry = `${root}packages/${pkg}/src/${file}.ts`;
  const program = programOf(pkg as string);
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  if (!source) throw new Error(`doc coverage: cannot read ${entry}`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`doc coverage: ${entry} is not a module`);

  const documented: string[] = [];
  const missing: string[] = [];
  const record = (name: string, symbol: ts.Symbol) => (hasDoc(symbol, checker) ? documented : missing).push(name);

  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const name = exported.getName();
    if (symbol.flags & ts.SymbolFlags.Module) continue; // a namespace re-export documents its own members
    record(name, symbol);
    if (!(symbol.flags & ts.SymbolFlags.Class)) continue;
    const bases = baseClasses(symbol, checker);
    for (const [memberName, member] of publicMembers(symbol)) {
      // A member that overrides or implements one of a base class is documented there, as TypeDoc
      // shows it (e.g. each layer's forward, documented on Module).
      const inherited = bases.map((b) => b.getProperty(memberName)).find((m) => m !== undefined);
      if (inherited && hasDoc(inherited, checker) && !hasDoc(member, checker)) continue;
      record(`${name}.${memberName}`, member);
    }
  }
  return { documented, missing };
}

const programs = new Map<string, ts.Program>();

/** One program per package, over all its entry points (src/*.ts at the top level), reused. */
function programOf(pkg: string): ts.Program {
  const dir = `${root}packages/${pkg}/src/`;
  let program = programs.get(pkg);
  if (!program) {
    const entries = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => dir + f);
    program = ts.createProgram(entries, {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      customConditions: ['@chainrule/source'],
      strict: true,
      noEmit: true,
      types: [], // the public API needs no ambient types; @types/node alone would double the time
    });
    programs.set(pkg, program);
  }
  return program;
}

/** A class's own public members: instance and static, declared in its body (not inherited). */
function publicMembers(cls: ts.Symbol): [string, ts.Symbol][] {
  const out: [string, ts.Symbol][] = [];
  const take = (table: ts.SymbolTable | undefined, prefix: string) =>
    table?.forEach((member, key) => {
      const name = String(key);
      if (name === 'prototype' || name.startsWith('_')) return; // __constructor, internals
      const decl = member.declarations?.[0];
      if (!decl || !ts.isClassElement(decl) || isHidden(decl)) return;
      out.push([prefix + name, member]);
    });
  take(cls.members, '');
  take(cls.exports, 'static ');
  return out;
}

function baseClasses(cls: ts.Symbol, checker: ts.TypeChecker): ts.Type[] {
  const type = checker.getDeclaredTypeOfSymbol(cls);
  const out: ts.Type[] = [];
  for (let bases = checker.getBaseTypes(type as ts.InterfaceType); bases.length > 0; ) {
    out.push(...bases);
    bases = bases.flatMap((b) => (b.isClassOrInterface() ? checker.getBaseTypes(b) : []));
  }
  return out;
}

function isHidden(decl: ts.ClassElement): boolean {
  const flags = ts.getCombinedModifierFlags(decl);
  // An override is documented where it is declared first (e.g. Error.name).
  const hidden = ts.ModifierFlags.Private | ts.ModifierFlags.Protected | ts.ModifierFlags.Override;
  return (flags & hidden) !== 0 || (decl.name !== undefined && ts.isPrivateIdentifier(decl.name));
}

function hasDoc(symbol: ts.Symbol, checker: ts.TypeChecker): boolean {
  if (symbol.getDocumentationComment(checker).some((part) => part.text.trim() !== '')) return true;
  // A function documented on one of its overloads is documented.
  return (symbol.declarations ?? []).some((d) => ts.getJSDocCommentsAndTags(d).some((c) => ts.isJSDoc(c) && c.comment));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let failed = false;
  for (const entryPoint of ['core', 'nn', 'nn/node']) {
    const { documented, missing } = docCoverage(entryPoint);
    const total = documented.length + missing.length;
    console.log(`@chainrule/${entryPoint}: ${documented.length} of ${total} public symbols and members documented`);
    for (const name of missing) console.log(`  missing: ${name}`);
    failed ||= missing.length > 0;
  }
  process.exitCode = failed ? 1 : 0;
}

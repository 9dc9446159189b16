// A typed expression such as `tanh(a*b + c)` becomes a graph of @chainrule/core Values, built
// with the same method calls a program would write (a.mul(b).add(c).tanh()). Parsing is jsep's
// (a small, dependency-free expression parser); this file only maps its syntax tree to Values.
import { ChainruleError, Value } from '@chainrule/core';
import jsep from 'jsep';

// `^` is a power here (jsep's default is bitwise xor, below `+`): above `*`, right-associative
jsep.removeBinaryOp('^');
jsep.addBinaryOp('^', 11, true);

const UNARY: Record<string, (v: Value) => Value> = {
  tanh: (v) => v.tanh(),
  exp: (v) => v.exp(),
  log: (v) => v.log(),
  sigmoid: (v) => v.sigmoid(),
  relu: (v) => v.relu(),
};
/** The functions an expression may call. */
export const FUNCTIONS = Object.keys(UNARY);

/** `a = 2, b = -3` → { a: 2, b: -3 }. @throws ChainruleError naming the bad entry. */
export function parseVars(text: string): Record<string, number> {
  const vars: Record<string, number> = {};
  for (const entry of text.split(/[,;\n]/)) {
    if (entry.trim() === '') continue;
    const m = /^\s*([A-Za-z_]\w*)\s*=\s*(\S+)\s*$/.exec(entry);
    const v = m ? Number(m[2]) : Number.NaN;
    if (!m || !Number.isFinite(v)) {
      throw new ChainruleError(`variables: expected 'name = number', got '${entry.trim()}'`);
    }
    vars[m[1] as string] = v;
  }
  return vars;
}

/**
 * The Value graph of `expr`: one leaf per variable (labelled with its name, and shared by every
 * use, so `a*a` is one leaf used twice), a constant leaf per number. Operators + − * / ^ (the
 * exponent a number, or arithmetic on numbers), unary minus, and the functions tanh, exp, log, sigmoid, relu.
 * @throws ChainruleError for a syntax error, an unknown variable or function, or a non-numeric exponent.
 */
export function buildExpression(expr: string, vars: Record<string, number>): { root: Value; leaves: Value[] } {
  let ast: jsep.Expression;
  try {
    ast = jsep(expr);
  } catch (e) {
    throw new ChainruleError(`expression: ${(e as Error).message}`);
  }
  const leaves = new Map<string, Value>();
  const build = (node: jsep.Expression): Value => {
    switch (node.type) {
      case 'Literal':
        if (typeof node.value !== 'number') throw new ChainruleError(`expression: unexpected ${node.raw}`);
        return new Value(node.value);
      case 'Identifier': {
        const name = node.name as string;
        if (!(name in vars)) {
          throw new ChainruleError(`expression: '${name}' has no value (give it one, e.g. '${name} = 1')`);
        }
        let leaf = leaves.get(name);
        if (leaf === undefined) {
          leaf = new Value(vars[name] as number, { label: name });
          leaves.set(name, leaf);
        }
        return leaf;
      }
      case 'UnaryExpression': {
        if (node.operator === '+') return build(node.argument as jsep.Expression);
        if (node.operator === '-') return build(node.argument as jsep.Expression).neg();
        throw new ChainruleError(`expression: unknown operator '${node.operator}'`);
      }
      case 'BinaryExpression': {
        const left = build(node.left as jsep.Expression);
        const right = node.right as jsep.Expression;
        switch (node.operator) {
          case '+':
            return left.add(build(right));
          case '-':
            return left.sub(build(right));
          case '*':
            return left.mul(build(right));
          case '/':
            return left.div(build(right));
          case '^':
            return left.pow(exponent(right));
        }
        throw new ChainruleError(`expression: unknown operator '${node.operator}' (+ - * / ^)`);
      }
      case 'CallExpression': {
        const callee = node.callee as jsep.Expression;
        const args = node.arguments as jsep.Expression[];
        const fn = callee.type === 'Identifier' ? UNARY[callee.name as string] : undefined;
        if (fn === undefined) {
          throw new ChainruleError(`expression: unknown function (${FUNCTIONS.join(', ')})`);
        }
        if (args.length !== 1) {
          throw new ChainruleError(`expression: ${callee.name}() takes one argument, got ${args.length}`);
        }
        return fn(build(args[0] as jsep.Expression));
      }
      default:
        throw new ChainruleError(`expression: unsupported syntax (${node.type})`);
    }
  };
  const root = build(ast);
  return { root, leaves: [...leaves.values()] };
}

/** The exponent after `^`: a number, or arithmetic on numbers only (Value.pow takes a plain number). */
function exponent(node: jsep.Expression): number {
  switch (node.type) {
    case 'Literal':
      if (typeof node.value === 'number') return node.value;
      break;
    case 'UnaryExpression':
      if (node.operator === '-') return -exponent(node.argument as jsep.Expression);
      if (node.operator === '+') return exponent(node.argument as jsep.Expression);
      break;
    case 'BinaryExpression': {
      const [l, r] = [exponent(node.left as jsep.Expression), exponent(node.right as jsep.Expression)];
      const v = { '+': l + r, '-': l - r, '*': l * r, '/': l / r, '^': l ** r }[node.operator as string];
      if (v !== undefined) return v;
      break;
    }
  }
  throw new ChainruleError('expression: the exponent after ^ must be a number');
}

// How a tensor prints: PyTorch's `repr` (torch/_tensor_str.py) with its default print options, so
// that a value printed here can be compared by eye with one printed by PyTorch. Pure string
// building over the shape and the flat data; no tensor is created.

/** What formatting needs from a tensor (a structural type, so this file imports nothing). */
export interface Printable {
  readonly data: ArrayLike<number>;
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly requiresGrad: boolean;
}

// torch.set_printoptions defaults
const PRECISION = 4;
const THRESHOLD = 1000; // more elements than this: summarize
const EDGE_ITEMS = 3; // elements kept at each edge of a summarized dim
const LINE_WIDTH = 80;

const PREFIX = 'tensor(';

/**
 * `tensor([[1., 2.], [3., 4.]], dtype=float64, requiresGrad=true)`, laid out as PyTorch does:
 * four decimals (or none when every value is an integer, or scientific notation when magnitudes
 * span more than 10³), values right-aligned to a common width, rows on their own lines, and `...`
 * in place of the middle of every dim longer than 6 once the tensor has more than 1000 elements.
 * The dtype is shown when it is not the default float32; `requiresGrad=true` when set.
 */
export function formatTensor(t: Printable): string {
  const size = t.data.length;
  const suffixes: string[] = [];
  let body: string;
  if (size === 0) {
    // As PyTorch: an empty tensor shows its shape unless it is [0].
    if (t.shape.length !== 1) suffixes.push(`size=[${t.shape.join(', ')}]`);
    body = '[]';
  } else {
    const summarize = size > THRESHOLD;
    const strides = contiguousStrides(t.shape);
    const fmt = formatter(t.dtype, summarize ? summarizedValues(t, strides) : Array.from(t.data));
    body = render(t, strides, fmt, summarize, 0, 0, PREFIX.length);
  }
  if (t.dtype !== 'float32') suffixes.push(`dtype=${t.dtype}`);
  if (t.requiresGrad) suffixes.push('requiresGrad=true');
  return `${PREFIX}${withSuffixes(body, suffixes)})`;
}

/** Formats one element at the common width. */
type Formatter = { width: number; format(x: number): string };

// torch's _Formatter: the notation and the width are chosen once, from every finite non-zero value
// that will be printed, so that columns line up.
function formatter(dtype: string, values: readonly number[]): Formatter {
  if (dtype !== 'float32' && dtype !== 'float64') {
    const format = dtype === 'bool' ? (x: number) => (x ? 'true' : 'false') : String;
    return padded(widest(values, format), format);
  }
  const finite = values.filter((x) => Number.isFinite(x) && x !== 0);
  // lo = Infinity when nothing is finite and non-zero, so no sci mode then
  const lo = finite.reduce((m, x) => Math.min(m, Math.abs(x)), Number.POSITIVE_INFINITY);
  const hi = finite.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  const intMode = finite.every(Number.isInteger);
  const sciMode = hi / lo > 1000 || hi > 1e8 || (!intMode && lo < 1e-4);
  const format = sciMode
    ? (x: number) => scientific(x, PRECISION)
    : intMode
      ? (x: number) => (Number.isFinite(x) ? `${fixed(x, 0)}.` : fixed(x, 0))
      : (x: number) => fixed(x, PRECISION);
  return padded(widest(finite, format), format);
}

function widest(values: readonly number[], format: (x: number) => string): number {
  return values.reduce((w, x) => Math.max(w, format(x).length), 1);
}

function padded(width: number, format: (x: number) => string): Formatter {
  return { width, format: (x) => format(x).padStart(width) };
}

/** Python's `f'{x:.{p}f}'`: NaN and infinities as `nan`, `inf`, `-inf`. */
function fixed(x: number, p: number): string {
  return Number.isFinite(x) ? x.toFixed(p) : nonFinite(x);
}

/** Python's `f'{x:.{p}e}'`: the exponent has a sign and at least two digits (`1.0000e+08`). */
function scientific(x: number, p: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const [mantissa, exponent] = x.toExponential(p).split('e') as [string, string];
  const sign = exponent.startsWith('-') ? '-' : '+';
  return `${mantissa}e${sign}${exponent.replace(/^[+-]/, '').padStart(2, '0')}`;
}

function nonFinite(x: number): string {
  return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
}

function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d] as number;
  }
  return strides;
}

/** The indices printed along a dim of length n: all of them, or the edges when summarizing. */
function shownIndices(n: number, summarize: boolean): { head: number[]; tail: number[] } {
  const all = Array.from({ length: n }, (_, i) => i);
  if (!summarize || n <= 2 * EDGE_ITEMS) return { head: all, tail: [] };
  return { head: all.slice(0, EDGE_ITEMS), tail: all.slice(n - EDGE_ITEMS) };
}

/** The values a summarized print shows (torch's get_summarized_data), to size the columns. */
function summarizedValues(t: Printable, strides: readonly number[]): number[] {
  const out: number[] = [];
  const walk = (dim: number, offset: number): void => {
    if (dim === t.shape.length) {
      out.push(t.data[offset] as number);
      return;
    }
    const { head, tail } = shownIndices(t.shape[dim] as number, true);
    for (const i of [...head, ...tail]) walk(dim + 1, offset + i * (strides[dim] as number));
  };
  walk(0, 0);
  return out;
}

// torch's _tensor_str_with_formatter and _vector_str: rows of a matrix on their own lines, one
// extra blank line between blocks per dim above 2, a 1-D row wrapped at 80 columns.
function render(
  t: Printable,
  strides: readonly number[],
  fmt: Formatter,
  summarize: boolean,
  dim: number,
  offset: number,
  indent: number,
): string {
  const ndim = t.shape.length;
  if (ndim === 0) return fmt.format(t.data[0] as number);
  const { head, tail } = shownIndices(t.shape[dim] as number, summarize);
  const stride = strides[dim] as number;
  if (dim === ndim - 1) {
    const items = head.map((i) => fmt.format(t.data[offset + i * stride] as number));
    if (tail.length > 0) items.push(' ...', ...tail.map((i) => fmt.format(t.data[offset + i * stride] as number)));
    const perLine = Math.max(1, Math.floor((LINE_WIDTH - indent) / (fmt.width + 2)));
    const lines: string[] = [];
    for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
    return `[${lines.join(`,\n${' '.repeat(indent + 1)}`)}]`;
  }
  const sub = (i: number) => render(t, strides, fmt, summarize, dim + 1, offset + i * stride, indent + 1);
  const slices = head.map(sub);
  if (tail.length > 0) slices.push('...', ...tail.map(sub));
  const sep = `,${'\n'.repeat(ndim - dim - 1)}${' '.repeat(indent + 1)}`;
  return `[${slices.join(sep)}]`;
}

// torch's _add_suffixes: `, dtype=…` on the last line, or on a new line when it would pass 80 columns.
function withSuffixes(body: string, suffixes: readonly string[]): string {
  let out = body;
  let lastLine = body.length - body.lastIndexOf('\n') + 1;
  for (const suffix of suffixes) {
    if (lastLine + suffix.length + 2 > LINE_WIDTH) {
      out += `,\n${' '.repeat(PREFIX.length)}${suffix}`;
      lastLine = PREFIX.length + suffix.length;
    } else {
      out += `, ${suffix}`;
      lastLine += suffix.length + 2;
    }
  }
  return out;
}

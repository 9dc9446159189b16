// class Tensor: storage (a contiguous row-major typed array), shape, dtype and gradient, plus
// one-line methods that delegate to the ops, grouped in the order of the ops files. The methods
// are the API index; the semantics live in ops/*.ts.
import { branded } from '../brand';
import { check, fmtShape, show } from '../errors';
import type { Buf } from '../kernels/index';
import { checkShape, type Shape, sameShape, sizeOf } from '../plans/shape';
import { type BackwardOptions, backward } from './autograd';
import { checkDType, type DType, dtypeOf, isFloat, storageFor } from './dtype';
import { formatTensor } from './format';
import { add, div, mul, neg, pow, sub } from './ops/binary';
import { to } from './ops/convert';
import { flip, gather, indexSelect, narrow, repeat, type SliceIndex, select, slice } from './ops/indexing';
import { chunk, split } from './ops/join';
import { matmul } from './ops/matmul';
import { expand, flatten, permute, reshape, squeeze, transpose, tril, triu, unsqueeze } from './ops/movement';
import {
  argmax,
  argmin,
  cumsum,
  logsumexp,
  max,
  mean,
  min,
  std,
  sum,
  type VarianceOptions,
  variance,
} from './ops/reduce';
import { clamp, eq, ge, gt, le, lt, maskedFill, maximum, minimum, ne } from './ops/select';
import { logSoftmax, softmax } from './ops/softmax';
import { argsort, maskedSelect, type SortOptions, sort, type TopkOptions, topk } from './ops/sort';
import {
  abs,
  cos,
  erf,
  exp,
  gelu,
  leakyRelu,
  log,
  relu,
  sigmoid,
  silu,
  sin,
  softplus,
  sqrt,
  square,
  tanh,
} from './ops/unary';
import type { Vjp } from './record';

export type { DType };
/** What `toArray()` returns: a number (a boolean for bool) for a 0-d tensor, nested arrays otherwise. */
export type NestedArray = number | boolean | NestedArray[];
/** A gradient hook (see Tensor.registerHook): returns a replacement gradient, or nothing to keep it. */
// biome-ignore lint/suspicious/noConfusingVoidType: a hook written as a block with no return gives void
export type TensorHook = (grad: Tensor) => Tensor | void;
/** A second operand: a tensor, or a number taken as a 0-d tensor of the other operand's dtype. */
export type TensorLike = Tensor | number;

/** Cross-build `instanceof` and Node printing (see brand.ts). */
const TensorBase = /* @__PURE__ */ branded('chainrule.Tensor');

/**
 * An N-d array of float32 or float64 in a computation graph. Create tensors with `tensor()`,
 * `zeros()`, `randn()`…; ops return new tensors and, when an operand `requiresGrad`, record the
 * chain-rule node that `backward()` walks.
 */
export class Tensor extends TensorBase {
  /** The elements, contiguous and row-major. */
  readonly data: Buf;
  /** The size of each dim, outermost first; `[]` for a 0-d tensor (one element). */
  readonly shape: readonly number[];
  /** The element type: `'float32'` (Float32Array storage) or `'float64'` (Float64Array). */
  readonly dtype: DType;
  /** The number of elements: the product of the shape. */
  readonly size: number;
  private gradient: Tensor | null = null;
  private needsGrad = false;
  /** A name shown by toDot. */
  label = '';
  /** The op that produced this tensor ('' for a leaf or a tensor made without grad). */
  op = '';
  /** The operands (children in the expression-tree sense) this tensor was computed from. */
  children: readonly Tensor[] = [];
  /** Internal to the engine: adds this node's contribution to its operands' gradients; null for leaves and once backward() has run. */
  backwardStep: (() => void) | null = null;
  /** Internal to the engine: this node's VJP in Tensor ops (createGraph); null for leaves and once released. */
  vjp: Vjp | null = null;
  /** Whether this non-leaf keeps its `.grad` after backward() (see retainGrad). */
  retainsGrad = false;
  private hooks: TensorHook[] | null = null;
  /** The versions of children (then this tensor) when the op recorded them; backward checks them. */
  savedVersions: readonly number[] | null = null;
  private versionCount = 0;

  /**
   * Wraps `data` (not copied) as a tensor of `shape`. Prefer `tensor()`, which copies and
   * infers a shape.
   * @throws ChainruleError if data is not a Float32Array, Float64Array, Int32Array or Uint8Array
   *   (bool), or shape is not a list of non-negative integers whose product is data.length.
   */
  constructor(data: Buf, shape: Shape, requiresGrad = false) {
    super();
    check(
      data instanceof Float32Array ||
        data instanceof Float64Array ||
        data instanceof Int32Array ||
        data instanceof Uint8Array,
      () => `Tensor: data must be a Float32Array, Float64Array, Int32Array or Uint8Array, got ${show(data)}`,
    );
    checkShape('Tensor', shape);
    check(
      sizeOf(shape) === data.length,
      () => `Tensor: shape ${fmtShape(shape)} holds ${sizeOf(shape)} elements, but data has ${data.length}`,
    );
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtypeOf(data);
    this.size = data.length;
    this.requiresGrad = requiresGrad;
  }

  /**
   * How many times this tensor's data was changed in place (optimizer steps, loadStateDict,
   * init): backward() refuses to use a saved tensor whose version moved since the forward pass.
   */
  get version(): number {
    return this.versionCount;
  }
  /** Records an in-place change of `data` (call it after writing into `data` yourself). */
  bumpVersion(): void {
    this.versionCount++;
  }

  /** Whether backward() computes ∂L/∂this. Only float tensors can require a gradient. */
  get requiresGrad(): boolean {
    return this.needsGrad;
  }
  set requiresGrad(value: boolean) {
    check(typeof value === 'boolean', () => `requiresGrad: must be true or false, got ${show(value)}`);
    check(
      !value || isFloat(this.dtype),
      () => `requiresGrad: only float tensors can require gradients, this one is ${this.dtype}`,
    );
    this.needsGrad = value;
  }

  /**
   * ∂L/∂this after backward(), for leaves that require a gradient; accumulates across calls.
   * Assign null to clear it.
   * @throws ChainruleError on assigning anything but null or a tensor of this tensor's shape and dtype.
   */
  get grad(): Tensor | null {
    return this.gradient;
  }
  set grad(g: Tensor | null) {
    check(
      g === null || (g instanceof Tensor && sameShape(g.shape, this.shape) && g.dtype === this.dtype),
      () =>
        `grad: expected null or a ${this.dtype} tensor of shape ${fmtShape(this.shape)}, got ` +
        (g instanceof Tensor ? `a ${g.dtype} tensor of shape ${fmtShape(g.shape)}` : show(g)),
    );
    this.gradient = g;
  }

  /** The number of dims: `shape.length`. */
  get ndim(): number {
    return this.shape.length;
  }

  // ops/convert.ts
  /** This tensor in `dtype` (itself if it already has it); differentiable between float dtypes. */
  to(dtype: DType): Tensor {
    return to(this, dtype);
  }

  // ops/binary.ts
  /**
   * Elementwise sum with PyTorch broadcasting: y = a + b.
   * ∂L/∂a = ∂L/∂y, ∂L/∂b = ∂L/∂y, each summed back over the dims it was broadcast along.
   * @throws ChainruleError if the shapes cannot broadcast.
   * @example
   * tensor([[1], [2]]).add(tensor([10, 20])); // tensor([[11., 21.], [12., 22.]])
   */
  add(other: TensorLike): Tensor {
    return add(this, other);
  }
  /**
   * Elementwise difference with broadcasting: y = a − b (∂L/∂a = ∂L/∂y, ∂L/∂b = −∂L/∂y).
   * @throws ChainruleError if the shapes cannot broadcast.
   */
  sub(other: TensorLike): Tensor {
    return sub(this, other);
  }
  /**
   * Elementwise (Hadamard) product with broadcasting: y = a ∘ b (∂L/∂a = ∂L/∂y ∘ b, ∂L/∂b = ∂L/∂y ∘ a).
   * @throws ChainruleError if the shapes cannot broadcast.
   */
  mul(other: TensorLike): Tensor {
    return mul(this, other);
  }
  /**
   * Elementwise quotient with broadcasting: y = a / b (∂L/∂a = ∂L/∂y / b, ∂L/∂b = −∂L/∂y ∘ a / b²).
   * @throws ChainruleError if the shapes cannot broadcast.
   */
  div(other: TensorLike): Tensor {
    return div(this, other);
  }
  /**
   * Elementwise power with a number exponent: y = xⁿ (∂L/∂x = ∂L/∂y · n xⁿ⁻¹).
   * @throws ChainruleError if `exponent` is not a number.
   */
  pow(exponent: number): Tensor {
    return pow(this, exponent);
  }
  /** Elementwise negation: y = −x (∂L/∂x = −∂L/∂y). */
  neg(): Tensor {
    return neg(this);
  }

  // ops/unary.ts
  /** Elementwise exponential: y = eˣ (∂L/∂x = ∂L/∂y · y). */
  exp(): Tensor {
    return exp(this);
  }
  /** Elementwise natural logarithm: y = ln x (∂L/∂x = ∂L/∂y / x); −∞ at 0 and NaN below, as PyTorch. */
  log(): Tensor {
    return log(this);
  }
  /** Elementwise square root: y = √x (∂L/∂x = ∂L/∂y / 2y). */
  sqrt(): Tensor {
    return sqrt(this);
  }
  /** Elementwise absolute value: y = |x| (∂L/∂x = ∂L/∂y · sign x, 0 at x = 0 as PyTorch). */
  abs(): Tensor {
    return abs(this);
  }
  /** Elementwise hyperbolic tangent: y = tanh x (F8: ∂L/∂x = ∂L/∂y · (1 − y²)). */
  tanh(): Tensor {
    return tanh(this);
  }
  /** Elementwise logistic function: y = σ(x) = 1 / (1 + e⁻ˣ) (F7: ∂L/∂x = ∂L/∂y · y(1 − y)). */
  sigmoid(): Tensor {
    return sigmoid(this);
  }
  /** Elementwise rectifier: y = max(x, 0) (F9: ∂L/∂x = ∂L/∂y where x > 0, else 0). */
  relu(): Tensor {
    return relu(this);
  }
  /** Elementwise leaky rectifier: y = x if x > 0 else slope·x (∂L/∂x = ∂L/∂y · (1 or slope)). */
  leakyRelu(slope = 0.01): Tensor {
    return leakyRelu(this, slope);
  }
  /** Elementwise softplus: y = ln(1 + eˣ), computed without overflow (∂L/∂x = ∂L/∂y · σ(x)). */
  softplus(): Tensor {
    return softplus(this);
  }
  /** Elementwise GELU, the exact form: y = x·Φ(x), Φ the standard normal CDF (∂L/∂x = ∂L/∂y · (Φ(x) + x·φ(x))). */
  gelu(): Tensor {
    return gelu(this);
  }
  /** sin x, elementwise. */
  sin(): Tensor {
    return sin(this);
  }
  /** cos x, elementwise. */
  cos(): Tensor {
    return cos(this);
  }
  /** x², elementwise. */
  square(): Tensor {
    return square(this);
  }
  /** SiLU (swish): x·σ(x). */
  silu(): Tensor {
    return silu(this);
  }
  /** The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt, elementwise (∂L/∂x = ∂L/∂y · 2/√π e^(−x²)). */
  erf(): Tensor {
    return erf(this);
  }

  // ops/reduce.ts
  /**
   * The sum over `dim` (a dim or a list of dims; every dim when omitted): y = Σᵢ xᵢ.
   * ∂L/∂x = ∂L/∂y broadcast back over the summed dims. `keepDim` keeps them with size 1.
   * @throws ChainruleError if a dim is out of range or repeated.
   * @example
   * tensor([[1, 2], [3, 4]]).sum(1); // tensor([3., 7.])
   */
  sum(dim?: number | readonly number[], keepDim = false): Tensor {
    return sum(this, dim, keepDim);
  }
  /**
   * The arithmetic mean over `dim` (every dim when omitted): y = Σᵢ xᵢ / n (∂L/∂x = ∂L/∂y / n).
   * @throws ChainruleError if a dim is out of range or repeated.
   */
  mean(dim?: number | readonly number[], keepDim = false): Tensor {
    return mean(this, dim, keepDim);
  }
  /**
   * The maximum over `dim` (every dim when omitted); values only. The gradient flows to the
   * first arg-max element in row-major order; NaN propagates.
   * @throws ChainruleError if a dim is out of range or repeated, or the tensor is empty.
   */
  max(dim?: number | readonly number[], keepDim = false): Tensor {
    return max(this, dim, keepDim);
  }
  /** The minimum over `dim` (values only; argmin gives indices). */
  min(dim?: number | readonly number[], keepDim = false): Tensor {
    return min(this, dim, keepDim);
  }
  /** The int32 index of the maximum along `dim` (of the flattened tensor when omitted). */
  argmax(dim?: number, keepDim = false): Tensor {
    return argmax(this, dim, keepDim);
  }
  /** The int32 index of the minimum along `dim` (of the flattened tensor when omitted). */
  argmin(dim?: number, keepDim = false): Tensor {
    return argmin(this, dim, keepDim);
  }
  /** The variance Σ (x − mean)² / (N − correction) over `dim`; correction defaults to 1. */
  var(dim?: number | readonly number[], opts?: VarianceOptions): Tensor {
    return variance(this, dim, opts);
  }
  /** The standard deviation √var over `dim`. */
  std(dim?: number | readonly number[], opts?: VarianceOptions): Tensor {
    return std(this, dim, opts);
  }
  /** ln Σ exp(x) over `dim`, computed stably. */
  logsumexp(dim: number | readonly number[], keepDim = false): Tensor {
    return logsumexp(this, dim, keepDim);
  }
  /** The running sum along `dim`. */
  cumsum(dim: number): Tensor {
    return cumsum(this, dim);
  }

  // ops/select.ts
  /** this = o, elementwise (bool). */
  eq(other: TensorLike): Tensor {
    return eq(this, other);
  }
  /** this ≠ o, elementwise (bool). */
  ne(other: TensorLike): Tensor {
    return ne(this, other);
  }
  /** this < o, elementwise (bool). */
  lt(other: TensorLike): Tensor {
    return lt(this, other);
  }
  /** this ≤ o, elementwise (bool). */
  le(other: TensorLike): Tensor {
    return le(this, other);
  }
  /** this > o, elementwise (bool). */
  gt(other: TensorLike): Tensor {
    return gt(this, other);
  }
  /** this ≥ o, elementwise (bool). */
  ge(other: TensorLike): Tensor {
    return ge(this, other);
  }
  /** This tensor with `value` where the bool `mask` is true. */
  maskedFill(mask: Tensor, value: number): Tensor {
    return maskedFill(this, mask, value);
  }
  /** This tensor limited to [min, max] (either may be null). */
  clamp(min?: number | null, max?: number | null): Tensor {
    return clamp(this, min, max);
  }
  /** The elementwise maximum with `other`. */
  maximum(other: TensorLike): Tensor {
    return maximum(this, other);
  }
  /** The elementwise minimum with `other`. */
  minimum(other: TensorLike): Tensor {
    return minimum(this, other);
  }

  // ops/matmul.ts
  /**
   * The matrix product with torch.matmul's rules (1-D, 2-D and batched N-D, batch dims broadcast):
   * Y = A B, ∂L/∂A = ∂L/∂Y Bᵀ, ∂L/∂B = Aᵀ ∂L/∂Y.
   * @throws ChainruleError if the inner dims differ or the batch dims cannot broadcast.
   * @example
   * tensor([[1, 2], [3, 4]]).matmul(tensor([[5], [6]])); // tensor([[17.], [39.]])
   */
  matmul(other: Tensor): Tensor {
    return matmul(this, other);
  }

  // ops/movement.ts
  /**
   * The same elements, row-major, in a new shape; one entry may be −1 (inferred). The gradient is reshaped back.
   * @throws ChainruleError if the number of elements differs.
   */
  reshape(shape: readonly number[]): Tensor {
    return reshape(this, shape);
  }
  /**
   * Merges dims `startDim`..`endDim` into one (all dims by default), as torch.flatten.
   * @throws ChainruleError if a dim is out of range or startDim comes after endDim.
   */
  flatten(startDim = 0, endDim = -1): Tensor {
    return flatten(this, startDim, endDim);
  }
  /**
   * Swaps two dims (the last two by default; negative dims count from the end); a contiguous copy.
   * The gradient is transposed back.
   * @throws ChainruleError if a dim is out of range.
   */
  transpose(dim0 = -2, dim1 = -1): Tensor {
    return transpose(this, dim0, dim1);
  }
  /** x with a new dim of size 1 at `dim`. */
  unsqueeze(dim: number): Tensor {
    return unsqueeze(this, dim);
  }
  /** x without dims of size 1 (all of them, or those among `dim`). */
  squeeze(dim?: number | readonly number[]): Tensor {
    return squeeze(this, dim);
  }
  /**
   * x with its dims reordered: the result's dim i is x's dim dims[i]. Takes the dims as one array
   * or as arguments, as PyTorch: `x.permute(2, 0, 1)` is `x.permute([2, 0, 1])`.
   */
  permute(...dims: number[] | [readonly number[]]): Tensor {
    return permute(this, dims.length === 1 && Array.isArray(dims[0]) ? dims[0] : (dims as number[]));
  }
  /**
   * PyTorch's view: the same elements in a new shape, sharing storage (storage is always
   * contiguous here, so view = reshape). Takes the shape as one array or as arguments.
   */
  view(...shape: number[] | [readonly number[]]): Tensor {
    const target = shape.length === 1 && Array.isArray(shape[0]) ? shape[0] : (shape as number[]);
    check(
      target.every((n) => Number.isInteger(n) && n >= -1) && target.filter((n) => n === -1).length <= 1,
      () => `view: expects integers ≥ −1 (at most one −1), as arguments or one array, got ${show(shape)}`,
    );
    const known = target.reduce((p, n) => (n === -1 ? p : p * n), 1);
    check(
      target.includes(-1) ? known > 0 && this.size % known === 0 : known === this.size,
      () => `view: shape [${target.join(',')}] does not fit the ${this.size} elements of shape ${fmtShape(this.shape)}`,
    );
    return reshape(this, target);
  }
  /** This tensor: chainrule's storage is always contiguous and row-major (PyTorch's contiguous()). */
  contiguous(): Tensor {
    return this;
  }
  /** x broadcast to `shape` (−1 keeps a dim). */
  expand(shape: readonly number[]): Tensor {
    return expand(this, shape);
  }
  /** The lower triangle of the last two dims (j − i ≤ diagonal), zeros elsewhere. */
  tril(diagonal = 0): Tensor {
    return tril(this, diagonal);
  }
  /** The upper triangle of the last two dims (j − i ≥ diagonal), zeros elsewhere. */
  triu(diagonal = 0): Tensor {
    return triu(this, diagonal);
  }
  /** The transpose of a 2-D tensor (a 0-D or 1-D tensor is returned as is, as in PyTorch). */
  get T(): Tensor {
    check(
      this.ndim <= 2,
      () => `T: expects a tensor of at most 2 dims, got shape ${fmtShape(this.shape)}; use transpose(dim0, dim1)`,
    );
    return this.ndim < 2 ? this : transpose(this, 0, 1);
  }

  // ops/indexing.ts
  /**
   * Python's x[...], one argument per index item: a number selects (the dim is dropped; negative
   * counts from the end), `[]` keeps a dim, `[i]` is i:, `[i, j]` is i:j, `[i, j, step]` is
   * i:j:step (step > 0; ranges clamp to the dim as Python's do), `null` inserts a dim of size 1,
   * `'...'` stands for the dims not named, and an int32 Tensor picks entries along its dim
   * (advanced indexing). `x[0]` on a Tensor is just a missing property: use `x.slice(0)`.
   * Differentiable: the gradient of each element goes back to where it was read (F17).
   * @throws ChainruleError for an index out of range or not an integer, a step ≤ 0, or too many indices.
   * @example
   * const x = arange(12).reshape([3, 4]);
   * x.slice(0);                  // x[0]        → [0, 1, 2, 3]
   * x.slice([], [1, 3]);         // x[:, 1:3]   → shape [3, 2]
   * x.slice(-1, [0, 4, 2]);      // x[-1, 0:4:2] → [8, 10]
   * x.slice(null, '...', 0);     // x[None, ..., 0] → shape [1, 3]
   * x.slice(tensor(Int32Array.of(2, 0)));  // rows 2 and 0
   * x.slice(tensor([true, false, true]));   // x[mask]: rows 0 and 2 (a bool mask over leading dims)
   */
  slice(...index: SliceIndex[]): Tensor {
    return slice(this, ...index);
  }
  /**
   * The entries where a bool `mask` (broadcast with x) is true, 1-D in row-major order: PyTorch's
   * x[mask] and masked_select. Differentiable. `x.slice(mask)` keeps the trailing dims instead.
   * @example
   * const x = tensor([[1, -2], [-3, 4]]);
   * x.maskedSelect(x.gt(0)); // tensor([1., 4.])
   */
  maskedSelect(mask: Tensor): Tensor {
    return maskedSelect(this, mask);
  }
  /** `length` entries of `dim` from `start`. */
  narrow(dim: number, start: number, length: number): Tensor {
    return narrow(this, dim, start, length);
  }
  /** Entry `index` of `dim`, the dim removed: x.select(0, i) is x[i]. */
  select(dim: number, index: number): Tensor {
    return select(this, dim, index);
  }
  /** The entries `index` of `dim`, in that order (duplicates allowed). */
  indexSelect(dim: number, index: Tensor | ArrayLike<number>): Tensor {
    return indexSelect(this, dim, index);
  }
  /** torch.gather: along `dim`, the entry that `index` (int32, the result's shape) names. */
  gather(dim: number, index: Tensor): Tensor {
    return gather(this, dim, index);
  }
  /** x tiled reps[d] times along each dim. */
  repeat(reps: readonly number[]): Tensor {
    return repeat(this, reps);
  }
  /** x reversed along each of `dims`. */
  flip(dims: readonly number[]): Tensor {
    return flip(this, dims);
  }

  // ops/join.ts
  /** Pieces of `sizeOrSizes` entries along `dim` (or of the listed sizes). */
  split(sizeOrSizes: number | readonly number[], dim = 0): Tensor[] {
    return split(this, sizeOrSizes, dim);
  }
  /** `chunks` pieces of ⌈n / chunks⌉ entries along `dim` (the last may be smaller). */
  chunk(chunks: number, dim = 0): Tensor[] {
    return chunk(this, chunks, dim);
  }

  // ops/softmax.ts
  /**
   * Softmax along `dim` (the last by default): yᵢ = exp(xᵢ − max x) / Σⱼ exp(xⱼ − max x).
   * ∂L/∂x = y ∘ (∂L/∂y − Σ(∂L/∂y ∘ y)).
   * @throws ChainruleError if `dim` is out of range.
   */
  softmax(dim = -1): Tensor {
    return softmax(this, dim);
  }
  /**
   * Log-softmax along `dim`, stable: yᵢ = xᵢ − max x − ln Σⱼ exp(xⱼ − max x).
   * ∂L/∂x = ∂L/∂y − softmax(x) Σ ∂L/∂y.
   * @throws ChainruleError if `dim` is out of range.
   */
  logSoftmax(dim = -1): Tensor {
    return logSoftmax(this, dim);
  }

  // ops/sort.ts
  /**
   * [values, indices] sorted along `dim` (default −1), stable: equal values keep their order.
   * Values are differentiable, indices int32.
   * @example
   * tensor([3, 1, 2]).sort(); // [tensor([1., 2., 3.]), tensor([1, 2, 0])]
   */
  sort(dim = -1, opts?: SortOptions): [Tensor, Tensor] {
    return sort(this, dim, opts);
  }
  /** The int32 positions that sort this tensor along `dim` (stable). */
  argsort(dim = -1, opts?: SortOptions): Tensor {
    return argsort(this, dim, opts);
  }
  /**
   * [values, indices] of the k largest (`largest: false`: smallest) entries along `dim`, as torch.topk.
   * Values are differentiable, indices int32.
   * @example
   * tensor([1, 5, 3]).topk(2); // [tensor([5., 3.]), tensor([1, 2])]
   */
  topk(k: number, dim = -1, opts?: TopkOptions): [Tensor, Tensor] {
    return topk(this, k, dim, opts);
  }

  // autograd
  /**
   * Backpropagates from this tensor: adds ∂this/∂leaf (or gradᵀ·∂this/∂leaf) into the `.grad`
   * of every leaf with `requiresGrad`, then frees the graph (keep it with `{ retainGraph: true }`).
   * @param grad ∂L/∂this, of this tensor's shape; omit it when this tensor holds one element.
   * @throws ChainruleError if this tensor does not require a gradient, has more than one element
   *   and no `grad`, or `grad` has another shape; nothing is changed then.
   * @example
   * const w = tensor([1, 2], { requiresGrad: true });
   * w.mul(w).sum().backward();
   * w.grad?.toArray(); // [2, 4]
   */
  backward(grad?: Tensor, opts?: BackwardOptions): void {
    backward(this, grad, opts);
  }

  /**
   * Keeps ∂L/∂this in `.grad` after backward() although this tensor is not a leaf (PyTorch's
   * retain_grad): a way to print the δ of a hidden layer. A leaf keeps its gradient anyway.
   * @throws ChainruleError if this tensor does not require a gradient.
   * @example
   * const z = x.matmul(w); z.retainGrad(); z.relu().sum().backward(); z.grad; // ∂L/∂z
   */
  retainGrad(): void {
    check(this.requiresGrad, () => 'retainGrad: this tensor does not require grad, so it gets no gradient to keep');
    if (this.children.length > 0) this.retainsGrad = true;
  }

  /**
   * Runs `hook(∂L/∂this)` each time the gradient with respect to this tensor is complete, during
   * backward() and grad(); a returned tensor (of the same shape) replaces the gradient from there
   * on. Returns a function that removes the hook (torch.Tensor.register_hook).
   * @throws ChainruleError if this tensor does not require a gradient or hook is not a function.
   * @example
   * const remove = h.registerHook((g) => g.clamp(-1, 1)); // clip the gradient flowing through h
   */
  registerHook(hook: TensorHook): () => void {
    check(typeof hook === 'function', () => `registerHook: expects a function, got ${show(hook)}`);
    check(this.requiresGrad, () => 'registerHook: cannot register a hook on a tensor that does not require grad');
    if (this.hooks === null) this.hooks = [];
    const hooks = this.hooks;
    hooks.push(hook);
    return () => {
      const i = hooks.indexOf(hook);
      if (i >= 0) hooks.splice(i, 1);
    };
  }

  /** Internal to the engine: whether hooks are registered (they may keep the gradient they see). */
  get hooked(): boolean {
    return this.hooks !== null && this.hooks.length > 0;
  }

  /** Internal to the engine: ∂L/∂this passed through the registered hooks, in order. */
  runHooks(grad: Tensor): Tensor {
    let g = grad;
    if (this.hooks === null) return g;
    for (const hook of [...this.hooks]) {
      const out = hook(g);
      if (out === undefined) continue;
      check(
        out instanceof Tensor && sameShape(out.shape, this.shape),
        () => `registerHook: a hook must return nothing or a tensor of shape ${fmtShape(this.shape)}, got ${show(out)}`,
      );
      g = out.dtype === this.dtype ? out : out.to(this.dtype);
    }
    return g;
  }

  /** The same data, cut from the graph: no history, requiresGrad false. Shares storage, as in PyTorch. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape);
  }

  /** The single element as a number. @throws ChainruleError if the tensor has more than one element. */
  item(): number {
    check(
      this.size === 1,
      () => `item: expects a tensor of one element, got shape ${fmtShape(this.shape)} (${this.size} elements)`,
    );
    return this.data[0] as number;
  }

  /** The elements as a number (0-d) or nested arrays following the shape. */
  toArray(): NestedArray {
    if (this.ndim === 0) return elementOf(this, 0);
    const build = (dim: number, offset: number, stride: number): NestedArray[] => {
      const n = this.shape[dim] as number;
      const inner = stride / n;
      const out: NestedArray[] = [];
      for (let i = 0; i < n; i++) {
        out.push(dim === this.ndim - 1 ? elementOf(this, offset + i) : build(dim + 1, offset + i * inner, inner));
      }
      return out;
    };
    return build(0, 0, sizeOf(this.shape));
  }

  /** A new tensor of zeros with this tensor's shape and dtype. */
  zerosLike(): Tensor {
    return new Tensor(storageFor(this.dtype, this.size), this.shape);
  }

  /**
   * A copy with its own storage, no history, and this tensor's dtype (or `dtype`).
   * @throws ChainruleError if `dtype` is not a dtype.
   */
  clone(dtype: DType = this.dtype): Tensor {
    const data = storageFor(checkDType('clone', dtype), this.size);
    data.set(this.data);
    return new Tensor(data, this.shape);
  }

  /** As PyTorch prints it: `tensor([[1., 2.], [3., 4.]], dtype=float64, requiresGrad=true)`. */
  override toString(): string {
    return formatTensor(this);
  }
}

/** Element i as toArray() shows it: a boolean for a bool tensor, else a number. */
function elementOf(t: Tensor, i: number): number | boolean {
  const v = t.data[i] as number;
  return t.dtype === 'bool' ? v !== 0 : v;
}

// class Tensor: storage (a contiguous row-major typed array), shape, dtype and gradient, plus
// one-line methods that delegate to the ops, grouped in the order of the ops files. The methods
// are the API index; the semantics live in ops/*.ts.
import { branded } from '../brand';
import { runBackward } from '../engine';
import { check, fmtShape } from '../errors';
import type { Buf } from '../kernels/index';
import { formatTensor } from './format';
import { add, div, mul, neg, pow, sub } from './ops/binary';
import { matmul } from './ops/matmul';
import { flatten, reshape, transpose } from './ops/movement';
import { max, mean, sum } from './ops/reduce';
import { logSoftmax, softmax } from './ops/softmax';
import { abs, exp, gelu, leakyRelu, log, relu, sigmoid, softplus, sqrt, tanh } from './ops/unary';
import { gradBuffer } from './record';
import { type Shape, sameShape, sizeOf } from './shape';

/** The element types of a tensor: float32 (the default) or float64 (what `gradcheck` uses). */
export type DType = 'float32' | 'float64';
/** What `toArray()` returns: a number for a 0-d tensor, nested arrays otherwise. */
export type NestedArray = number | NestedArray[];
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
  /** ∂L/∂this after backward(), for leaves that require a gradient; accumulates across calls. */
  grad: Tensor | null = null;
  /** Whether backward() computes ∂L/∂this. Set on leaves (parameters); ops set it on every result computed from such a leaf. */
  requiresGrad: boolean;
  /** A name shown by toDot. */
  label = '';
  /** The op that produced this tensor ('' for a leaf or a tensor made without grad). */
  op = '';
  /** The operands (children in the expression-tree sense) this tensor was computed from. */
  children: readonly Tensor[] = [];
  /** Internal to the engine: adds this node's contribution to its operands' gradients; null for leaves and once backward() has run. */
  backwardStep: (() => void) | null = null;

  /** Wraps `data` (not copied) as a tensor of `shape`. Prefer `tensor()`, which checks its input. */
  constructor(data: Buf, shape: Shape, requiresGrad = false) {
    super();
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.dtype = data instanceof Float64Array ? 'float64' : 'float32';
    this.size = data.length;
    this.requiresGrad = requiresGrad;
  }

  /** The number of dims: `shape.length`. */
  get ndim(): number {
    return this.shape.length;
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
  /** The transpose of a 2-D tensor (a 0-D or 1-D tensor is returned as is, as in PyTorch). */
  get T(): Tensor {
    check(
      this.ndim <= 2,
      () => `T: expects a tensor of at most 2 dims, got shape ${fmtShape(this.shape)}; use transpose(dim0, dim1)`,
    );
    return this.ndim < 2 ? this : transpose(this, 0, 1);
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

  // autograd
  /**
   * Backpropagates from this tensor: adds ∂this/∂leaf (or gradᵀ·∂this/∂leaf) into the `.grad`
   * of every leaf with `requiresGrad`, then frees the graph.
   * @param grad ∂L/∂this, of this tensor's shape; omit it when this tensor holds one element.
   * @throws ChainruleError if this tensor does not require a gradient, has more than one element
   *   and no `grad`, or `grad` has another shape; nothing is changed then.
   * @example
   * const w = tensor([1, 2], { requiresGrad: true });
   * w.mul(w).sum().backward();
   * w.grad?.toArray(); // [2, 4]
   */
  backward(grad?: Tensor): void {
    check(
      this.requiresGrad,
      () => 'backward: this tensor does not require grad and has no graph (did an input set requiresGrad: true?)',
    );
    if (grad === undefined) {
      check(
        this.size === 1,
        () =>
          `backward: a gradient can be implied only for a tensor of one element, got shape ${fmtShape(this.shape)}; ` +
          'pass backward(grad) or reduce first (e.g. .sum())',
      );
    } else {
      check(grad instanceof Tensor, () => 'backward: grad must be a Tensor');
      check(
        sameShape(grad.shape, this.shape),
        () =>
          `backward: grad of shape ${fmtShape(grad.shape)} does not match the tensor's shape ${fmtShape(this.shape)}`,
      );
    }
    runBackward(this, () => {
      const g = gradBuffer(this);
      if (grad === undefined) g[0] = (g[0] as number) + 1;
      else for (let i = 0; i < g.length; i++) g[i] = (g[i] as number) + (grad.data[i] as number);
    });
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
    if (this.ndim === 0) return this.data[0] as number;
    const build = (dim: number, offset: number, stride: number): NestedArray[] => {
      const n = this.shape[dim] as number;
      const inner = stride / n;
      const out: NestedArray[] = [];
      for (let i = 0; i < n; i++) {
        out.push(dim === this.ndim - 1 ? (this.data[offset + i] as number) : build(dim + 1, offset + i * inner, inner));
      }
      return out;
    };
    return build(0, 0, sizeOf(this.shape));
  }

  /** A new tensor of zeros with this tensor's shape and dtype. */
  zerosLike(): Tensor {
    return new Tensor(this.dtype === 'float64' ? new Float64Array(this.size) : new Float32Array(this.size), this.shape);
  }

  /** A copy with its own storage, no history, and this tensor's dtype (or `dtype`). */
  clone(dtype: DType = this.dtype): Tensor {
    const data = dtype === 'float64' ? new Float64Array(this.data) : new Float32Array(this.data);
    return new Tensor(data, this.shape);
  }

  /** As PyTorch prints it: `tensor([[1., 2.], [3., 4.]], dtype=float64, requiresGrad=true)`. */
  override toString(): string {
    return formatTensor(this);
  }
}

// The network of the first source document: z₁ = W₁x + b₁, a₁ = σ(z₁), z₂ = W₂a₁ + b₂, y = σ(z₂),
// with a mean-squared-error loss. Its gradients computed twice: by the hand formulas of
// docs/backprop.md (F2–F5, F7, F10) in plain JavaScript arithmetic, and by chainrule's autodiff.
import { Rng, randn, type Tensor, tensor } from '@chainrule/core';
import { isMain } from './main';

type Vec = number[];
type Mat = number[][];

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const matVec = (w: Mat, x: Vec): Vec => w.map((row) => row.reduce((s, wij, j) => s + wij * (x[j] as number), 0));
const transpose = (w: Mat): Mat => (w[0] as Vec).map((_, j) => w.map((row) => row[j] as number));
const outer = (u: Vec, v: Vec): Mat => u.map((ui) => v.map((vj) => ui * vj));
const add = (u: Vec, v: Vec): Vec => u.map((ui, i) => ui + (v[i] as number));
const hadamard = (u: Vec, v: Vec): Vec => u.map((ui, i) => ui * (v[i] as number));

/** ∂L/∂W₁, ∂L/∂b₁, ∂L/∂W₂, ∂L/∂b₂ as nested arrays. */
export interface TwoLayerGradients {
  W1: Mat;
  b1: Vec;
  W2: Mat;
  b2: Vec;
}

/** Both computations of the gradients and their largest difference. */
export interface TwoLayerResult {
  sizes: { n: number; m: number; k: number };
  loss: number;
  hand: TwoLayerGradients;
  autodiff: TwoLayerGradients;
  /** max |hand − autodiff| over every gradient entry. */
  maxDifference: number;
}

/** The hand-derived backward pass of the document, one line per formula. */
export function handGradients(
  x: Vec,
  t: Vec,
  W1: Mat,
  b1: Vec,
  W2: Mat,
  b2: Vec,
): TwoLayerGradients & { loss: number } {
  const z1 = add(matVec(W1, x), b1); // F1
  const a1 = z1.map(sigmoid);
  const z2 = add(matVec(W2, a1), b2);
  const y = z2.map(sigmoid);
  const k = y.length;
  const loss = y.reduce((s, yi, i) => s + (yi - (t[i] as number)) ** 2, 0) / k; // F10
  const dLdy = y.map((yi, i) => (2 * (yi - (t[i] as number))) / k); // F10: ∂L/∂y = 2(y − t)/k
  const delta2 = hadamard(
    dLdy,
    y.map((yi) => yi * (1 - yi)),
  ); // F2 with F7: δ₂ = ∂L/∂y ∘ σ(z₂)(1 − σ(z₂))
  const delta1 = hadamard(
    matVec(transpose(W2), delta2),
    a1.map((ai) => ai * (1 - ai)),
  ); // F5: δ₁ = (W₂ᵀδ₂) ∘ σ'(z₁)
  return {
    loss,
    W2: outer(delta2, a1), // F3: ∂L/∂W₂ = δ₂ a₁ᵀ
    b2: delta2, // F4: ∂L/∂b₂ = δ₂
    W1: outer(delta1, x), // F3: ∂L/∂W₁ = δ₁ xᵀ
    b1: delta1, // F4: ∂L/∂b₁ = δ₁
  };
}

/** Both computations for a random network with n inputs, m hidden units and k outputs, in float64. */
export function twoLayer(n = 3, m = 4, k = 2, seed = 0): TwoLayerResult {
  const rng = new Rng(seed);
  const opts = { rng, dtype: 'float64', requiresGrad: true } as const;
  const [W1, b1, W2, b2] = [randn([m, n], opts), randn([m], opts), randn([k, m], opts), randn([k], opts)] as Tensor[];
  const x = randn([n], { rng, dtype: 'float64' });
  const t = tensor(
    Array.from({ length: k }, () => rng.next()),
    { dtype: 'float64' },
  );

  // autodiff: the forward pass only; backward() applies the chain rule node by node
  const a1 = (W1 as Tensor)
    .matmul(x)
    .add(b1 as Tensor)
    .sigmoid();
  const y = (W2 as Tensor)
    .matmul(a1)
    .add(b2 as Tensor)
    .sigmoid();
  const lossT = y.sub(t).pow(2).mean();
  lossT.backward();
  const grads = (p: Tensor) => p.grad?.toArray() as never;
  const autodiff = {
    W1: grads(W1 as Tensor),
    b1: grads(b1 as Tensor),
    W2: grads(W2 as Tensor),
    b2: grads(b2 as Tensor),
  };

  const arr = (p: Tensor) => p.toArray() as never;
  const { loss, ...hand } = handGradients(
    arr(x),
    arr(t),
    arr(W1 as Tensor),
    arr(b1 as Tensor),
    arr(W2 as Tensor),
    arr(b2 as Tensor),
  );
  let maxDifference = 0;
  for (const key of ['W1', 'b1', 'W2', 'b2'] as const) {
    const h = (hand[key] as (number | number[])[]).flat();
    const a = (autodiff[key] as (number | number[])[]).flat();
    h.forEach((v, i) => {
      maxDifference = Math.max(maxDifference, Math.abs(v - (a[i] as number)));
    });
  }
  return { sizes: { n, m, k }, loss, hand, autodiff, maxDifference };
}

/** Prints the gradients side by side and their largest difference. */
export function runTwoLayer(log: (line: string) => void = console.log): TwoLayerResult {
  const r = twoLayer();
  const { n, m, k } = r.sizes;
  log(`x ∈ R^${n}, W₁ ${m}×${n}, W₂ ${k}×${m}, sigmoid on both layers, MSE loss ${r.loss.toFixed(6)} (float64)`);
  log('gradient   hand formulas (F2–F5)   autodiff (backward())');
  for (const key of ['W2', 'b2', 'W1', 'b1'] as const) {
    const h = (r.hand[key] as (number | number[])[]).flat();
    const a = (r.autodiff[key] as (number | number[])[]).flat();
    h.slice(0, 3).forEach((v, i) => {
      const name = i === 0 ? `∂L/∂${key}` : '';
      log(
        `${name.padEnd(10)} ${v.toExponential(12).padStart(20)}    ${(a[i] as number).toExponential(12).padStart(20)}`,
      );
    });
    if (h.length > 3) log(`${''.padEnd(10)} … ${h.length - 3} more`);
  }
  log(`largest |hand − autodiff| over all ${m * n + m + k * m + k} entries: ${r.maxDifference.toExponential(2)}`);
  return r;
}

if (isMain('two-layer')) runTwoLayer();

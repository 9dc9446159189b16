// ops: elementwise unary functions. Vocabulary: x → y; gy = ∂L/∂y, gx = ∂L/∂x.
// Where the derivative is cheaper from the output, the backward reads y (exp, sqrt, tanh, sigmoid).
import * as K from '../../kernels/index';
import { checkNumber } from '../../plans/shape';
import { checkTensor, empty } from '../create';
import { arithmetic, floating } from '../dtype';
import { gradBuffer, gradTarget, noGrad, record } from '../record';
import type { Tensor } from '../tensor';
import { where } from './select';

// Helpers of the VJPs below: constants in x (sign), or functions whose own VJPs close the chain.
/** sign(x) ∈ {−1, 0, 1}, a constant of the graph (its derivative is 0 almost everywhere). */
function sign(x: Tensor): Tensor {
  return noGrad(() => x.gt(0).to(x.dtype).sub(x.lt(0).to(x.dtype)));
}
/** Φ(x) = ½(1 + erf(x/√2)), the standard normal CDF. */
function normalCdf(x: Tensor): Tensor {
  return erf(x.mul(Math.SQRT1_2)).add(1).mul(0.5);
}
/** φ(x) = e^(−x²/2)/√(2π), the standard normal density. */
function normalPdf(x: Tensor): Tensor {
  return x.square().mul(-0.5).exp().mul(0.3989422804014327);
}

/** Elementwise eˣ (∂L/∂x = ∂L/∂y · eˣ). */
export function exp(x: Tensor): Tensor {
  checkTensor('exp', x);
  const y = empty(x.shape, floating(x.dtype));
  K.exp(x.data, y.data);
  return record(
    y,
    'exp',
    [x],
    (gy) => {
      // ∂L/∂x = gy ∘ eˣ = gy ∘ y
      K.expBackward(y.data, gy, gradBuffer(x));
    },
    (gy) => [gy.mul(y)],
  );
}

/** Elementwise ln x (∂L/∂x = ∂L/∂y / x). */
export function log(x: Tensor): Tensor {
  checkTensor('log', x);
  const y = empty(x.shape, floating(x.dtype));
  K.log(x.data, y.data);
  return record(
    y,
    'log',
    [x],
    (gy) => {
      // ∂L/∂x = gy / x
      K.logBackward(x.data, gy, gradBuffer(x));
    },
    (gy) => [gy.div(x)],
  );
}

/** Elementwise √x (∂L/∂x = ∂L/∂y / 2√x). */
export function sqrt(x: Tensor): Tensor {
  checkTensor('sqrt', x);
  const y = empty(x.shape, floating(x.dtype));
  K.sqrt(x.data, y.data);
  return record(
    y,
    'sqrt',
    [x],
    (gy) => {
      // ∂L/∂x = gy / (2√x) = gy / 2y
      K.sqrtBackward(y.data, gy, gradBuffer(x));
    },
    (gy) => [gy.div(y.mul(2))],
  );
}

/** Elementwise |x| (∂L/∂x = ∂L/∂y · sign x, 0 at x = 0). */
export function abs(x: Tensor): Tensor {
  checkTensor('abs', x);
  const y = empty(x.shape, arithmetic(x.dtype));
  K.abs(x.data, y.data);
  return record(
    y,
    'abs',
    [x],
    (gy) => {
      // ∂L/∂x = gy ∘ sign(x)   (0 at x = 0, as PyTorch)
      K.absBackward(x.data, gy, gradBuffer(x));
    },
    (gy) => [gy.mul(sign(x))],
  );
}

/** Elementwise tanh x (F8: ∂L/∂x = ∂L/∂y · (1 − tanh² x)). */
export function tanh(x: Tensor): Tensor {
  checkTensor('tanh', x);
  const y = empty(x.shape, floating(x.dtype));
  K.tanh(x.data, y.data);
  return record(
    y,
    'tanh',
    [x],
    (gy) => {
      // F8: ∂L/∂x = gy ∘ (1 − tanh²x) = gy ∘ (1 − y²)
      K.tanhBackward(y.data, gy, gradBuffer(x));
    },
    (gy) => [gy.mul(y.square().neg().add(1))],
  );
}

/** Elementwise σ(x) = 1 / (1 + e⁻ˣ) (F7: ∂L/∂x = ∂L/∂y · σ(x)(1 − σ(x))). */
export function sigmoid(x: Tensor): Tensor {
  checkTensor('sigmoid', x);
  const y = empty(x.shape, floating(x.dtype));
  K.sigmoid(x.data, y.data);
  return record(
    y,
    'sigmoid',
    [x],
    (gy) => {
      // F7: ∂L/∂x = gy ∘ σ(x)(1 − σ(x)) = gy ∘ y(1 − y)
      K.sigmoidBackward(y.data, gy, gradBuffer(x));
    },
    (gy) => [gy.mul(y.mul(y.neg().add(1)))],
  );
}

/** Elementwise max(x, 0) (F9: ∂L/∂x = ∂L/∂y where x > 0, else 0). */
export function relu(x: Tensor): Tensor {
  checkTensor('relu', x);
  const y = empty(x.shape, arithmetic(x.dtype));
  K.relu(x.data, y.data);
  return record(
    y,
    'relu',
    [x],
    (gy) => {
      // F9: ∂L/∂x = gy ∘ 1[x > 0]   (0 at x = 0, as PyTorch)
      K.reluBackward(x.data, gy, ...gradTarget(x));
    },
    (gy) => [where(x.gt(0), gy, 0)],
  );
}

/** Elementwise x if x > 0 else slope·x (∂L/∂x = ∂L/∂y · (1 or slope)). */
export function leakyRelu(x: Tensor, slope = 0.01): Tensor {
  checkTensor('leakyRelu', x);
  checkNumber('leakyRelu', 'slope', slope);
  const y = empty(x.shape, floating(x.dtype));
  K.leakyRelu(x.data, slope, y.data);
  return record(
    y,
    'leakyRelu',
    [x],
    (gy) => {
      // ∂L/∂x = gy ∘ (1 if x > 0 else slope)
      K.leakyReluBackward(x.data, slope, gy, gradBuffer(x));
    },
    (gy) => [where(x.gt(0), gy, gy.mul(slope))],
  );
}

/** softplus(x) = ln(1 + eˣ), computed without overflow. */
export function softplus(x: Tensor): Tensor {
  checkTensor('softplus', x);
  const y = empty(x.shape, floating(x.dtype));
  K.softplus(x.data, y.data);
  return record(
    y,
    'softplus',
    [x],
    (gy) => {
      // ∂L/∂x = gy ∘ σ(x)
      K.softplusBackward(x.data, gy, gradBuffer(x));
    },
    (gy) => [gy.mul(sigmoid(x))],
  );
}

/** GELU(x) = x·Φ(x), Φ the standard normal CDF (the exact form, PyTorch's default). */
export function gelu(x: Tensor): Tensor {
  checkTensor('gelu', x);
  const y = empty(x.shape, floating(x.dtype));
  K.gelu(x.data, y.data);
  return record(
    y,
    'gelu',
    [x],
    (gy) => {
      // ∂L/∂x = gy ∘ (Φ(x) + x·φ(x))
      K.geluBackward(x.data, gy, gradBuffer(x));
    },
    (gy) => [gy.mul(normalCdf(x).add(x.mul(normalPdf(x))))],
  );
}

/** sin x, elementwise. */
export function sin(x: Tensor): Tensor {
  checkTensor('sin', x);
  const y = empty(x.shape, floating(x.dtype));
  K.sin(x.data, y.data);
  return record(
    y,
    'sin',
    [x],
    (gy) => {
      // ∂L/∂x = gy ∘ cos x
      K.sinBackward(x.data, gy, gradBuffer(x));
    },
    (gy) => [gy.mul(cos(x))],
  );
}

/** cos x, elementwise. */
export function cos(x: Tensor): Tensor {
  checkTensor('cos', x);
  const y = empty(x.shape, floating(x.dtype));
  K.cos(x.data, y.data);
  return record(
    y,
    'cos',
    [x],
    (gy) => {
      // ∂L/∂x = −gy ∘ sin x
      K.cosBackward(x.data, gy, gradBuffer(x));
    },
    (gy) => [gy.mul(sin(x)).neg()],
  );
}

/** x², elementwise (one pass, unlike x.pow(2)). */
export function square(x: Tensor): Tensor {
  checkTensor('square', x);
  const y = empty(x.shape, arithmetic(x.dtype));
  K.square(x.data, y.data);
  return record(
    y,
    'square',
    [x],
    (gy) => {
      // ∂L/∂x = gy ∘ 2x
      K.squareBackward(x.data, gy, gradBuffer(x));
    },
    (gy) => [gy.mul(x).mul(2)],
  );
}

/** SiLU (swish): x·σ(x). */
export function silu(x: Tensor): Tensor {
  checkTensor('silu', x);
  const y = empty(x.shape, floating(x.dtype));
  K.silu(x.data, y.data);
  return record(
    y,
    'silu',
    [x],
    (gy) => {
      // ∂L/∂x = gy ∘ σ(x)(1 + x(1 − σ(x)))
      K.siluBackward(x.data, gy, gradBuffer(x));
    },
    (gy) => {
      const s = sigmoid(x);
      return [gy.mul(s.mul(x.mul(s.neg().add(1)).add(1)))];
    },
  );
}

/** The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt, elementwise (torch.erf). */
export function erf(x: Tensor): Tensor {
  checkTensor('erf', x);
  const y = empty(x.shape, floating(x.dtype));
  K.erfForward(x.data, y.data);
  return record(
    y,
    'erf',
    [x],
    (gy) => {
      // ∂L/∂x = gy ∘ 2/√π · e^(−x²)
      K.erfBackward(x.data, gy, gradBuffer(x));
    },
    (gy) => [
      gy.mul(
        x
          .square()
          .neg()
          .exp()
          .mul(2 / Math.sqrt(Math.PI)),
      ),
    ],
  );
}

// Forward hooks on modules (PyTorch's register_forward_hook / register_forward_pre_hook), and a
// layer differentiated twice: createGraph through nn's layers and losses.
import { grad, Rng, type Tensor, tensor } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import { Linear, MLP, mseLoss, Sequential, Tanh } from '../src/index';

describe('forward hooks', () => {
  it('a forward hook sees inputs and output and may replace the output; a pre-hook may replace the inputs', () => {
    const layer = new Linear(2, 2, { rng: new Rng(3) });
    const x = tensor([[1, -1]]);
    const plain = layer.forward(x).toArray();
    const seen: [number, number[][]][] = [];
    const remove = layer.registerForwardHook((m, inputs, out: Tensor) => {
      expect(m).toBe(layer);
      seen.push([inputs.length, out.toArray() as number[][]]);
    });
    layer.forward(x);
    expect(seen).toEqual([[1, plain]]);
    const removePre = layer.registerForwardPreHook((_m, [input]) => [(input as Tensor).mul(0)]);
    const doubling = layer.registerForwardHook((_m, _in, out: Tensor) => out.mul(2));
    // zero input: the output is the bias, doubled
    expect(layer.forward(x).toArray()).toEqual([(layer.bias as Tensor).mul(2).toArray()]);
    remove();
    removePre();
    doubling();
    expect(layer.forward(x).toArray()).toEqual(plain);
    expect(seen).toHaveLength(2);
    // hooks are not parameters, state or fields
    expect(Object.keys(layer.stateDict())).toEqual(['weight', 'bias']);
    expect(() => layer.registerForwardHook(42 as never)).toThrow(
      'Linear.registerForwardHook: expects a function, got 42',
    );
  });

  it('hooks on a submodule fire inside its container (collecting activations)', () => {
    const model = new Sequential(
      new Linear(3, 4, { rng: new Rng(1) }),
      new Tanh(),
      new Linear(4, 1, { rng: new Rng(2) }),
    );
    const acts: number[][] = [];
    (model.layers[1] as Tanh).registerForwardHook((_m, _in, out: Tensor) => {
      acts.push(out.shape as number[]);
    });
    model.forward(
      tensor([
        [1, 2, 3],
        [0, 1, 0],
      ]),
    );
    expect(acts).toEqual([[2, 4]]);
  });
});

describe('nn layers differentiated twice', () => {
  it('the input gradient of an MLP loss is differentiable: its own gradient matches central differences', () => {
    const model = new MLP(2, [5, 1], { activation: 'tanh', rng: new Rng(4), dtype: 'float64' });
    const target = tensor([[0.3]], { dtype: 'float64' });
    const penalty = (x: Tensor) => {
      const [gx] = grad(mseLoss(model.forward(x), target), [x], { createGraph: true });
      return (gx as Tensor).square().sum();
    };
    const x = tensor([[0.4, -0.9]], { dtype: 'float64', requiresGrad: true });
    const [analytic] = grad(penalty(x), [x]);
    const eps = 1e-6;
    for (let i = 0; i < 2; i++) {
      const at = (d: number) => {
        const p = x.detach().clone();
        p.data[i] = (p.data[i] as number) + d;
        p.requiresGrad = true;
        return penalty(p).item();
      };
      expect((analytic as Tensor).data[i]).toBeCloseTo((at(eps) - at(-eps)) / (2 * eps), 7);
    }
  });
});

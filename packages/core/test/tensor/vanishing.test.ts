// F23: why gradients vanish in deep sigmoid networks, checked on a 10-layer chain.
import { describe, expect, it } from 'vitest';
import { grad, Rng, randn, type Tensor } from '../../src/index';

const frobenius = (t: Tensor) => Math.sqrt((t.data as Float64Array).reduce((s, v) => s + v * v, 0));

describe('vanishing gradients', () => {
  it('F23: each sigmoid layer shrinks the error term: ‖δ⁽ˡ⁾‖ ≤ ¼ ‖W⁽ˡ⁺¹⁾‖ ‖δ⁽ˡ⁺¹⁾‖', () => {
    const rng = new Rng(3);
    const depth = 10;
    const width = 16;
    const x = randn([8, width], { rng, dtype: 'float64' });
    const ws = Array.from({ length: depth }, () =>
      randn([width, width], { rng, dtype: 'float64', requiresGrad: true }).mul(1 / Math.sqrt(width)),
    );
    // z⁽ˡ⁾ = a⁽ˡ⁻¹⁾ W⁽ˡ⁾ᵀ (examples in rows, F14), a⁽ˡ⁾ = σ(z⁽ˡ⁾)
    const zs: Tensor[] = [];
    let a = x;
    for (const w of ws) {
      const z = a.matmul(w.T);
      zs.push(z);
      a = z.sigmoid();
    }
    const deltas = grad(a.sum(), zs);
    for (let l = 0; l < depth - 1; l++) {
      const d = deltas[l] as Tensor;
      const next = deltas[l + 1] as Tensor;
      const w = ws[l + 1] as Tensor;
      // F5 by hand: δ⁽ˡ⁾ = (δ⁽ˡ⁺¹⁾ W⁽ˡ⁺¹⁾) ∘ σ(z⁽ˡ⁾)(1 − σ(z⁽ˡ⁾)) equals autodiff's
      const s = (zs[l] as Tensor).sigmoid();
      const hand = next.matmul(w).mul(s.mul(s.neg().add(1)));
      const diff = Math.max(...Array.from(hand.sub(d).abs().data));
      expect(diff).toBeLessThan(1e-15);
      // F23: σ′ ≤ 1/4 and ‖Δ W‖ ≤ ‖Δ‖ ‖W‖ give the bound, layer by layer
      expect(frobenius(d)).toBeLessThanOrEqual(0.25 * frobenius(w) * frobenius(next));
    }
    // over the whole chain: ‖δ⁽¹⁾‖ ≤ 4^{−(L−1)} ∏ ‖W⁽ˡ⁾‖ ‖δ⁽ᴸ⁾‖, and here δ⁽¹⁾ is over 10⁴ times smaller than δ⁽ᴸ⁾
    const bound = ws.slice(1).reduce((p, w) => p * 0.25 * frobenius(w), frobenius(deltas[depth - 1] as Tensor));
    expect(frobenius(deltas[0] as Tensor)).toBeLessThanOrEqual(bound);
    expect(frobenius(deltas[0] as Tensor) / frobenius(deltas[depth - 1] as Tensor)).toBeLessThan(1e-4);
  });
});

// Dtype conversion. Writing into a typed array converts: an Int32Array truncates toward zero
// (as PyTorch's float-to-int cast), a float array takes integers exactly. bool needs its own
// loop, since a Uint8Array would keep 2 as 2.
import type { Buf } from './index';

/** y = x, converted to y's element type. */
export function cast(x: Buf, y: Buf): void {
  y.set(x);
}

/** y = (x ≠ 0): NaN is true, as in PyTorch. */
export function castToBool(x: Buf, y: Buf): void {
  for (let i = 0; i < x.length; i++) y[i] = x[i] !== 0 ? 1 : 0;
}

// Runs a kernel on the TypeScript reference path (the dispatchers then skip WebAssembly), and goes
// back to the WebAssembly kernels afterwards: how the WebAssembly tests get their expected values.
import { setKernels } from '../../src/kernels/index';

export function viaTs(f: () => void): void {
  setKernels('ts');
  try {
    f();
  } finally {
    setKernels('wasm');
  }
}

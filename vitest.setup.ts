// `CHAINRULE_KERNELS=ts vitest run` runs the whole suite on the TypeScript kernels (the root
// `pnpm test` runs it both ways); unset, the default (WebAssembly SIMD where available) is tested.
import { setKernels } from './packages/core/src/kernels/wasm/runtime';

const forced = process.env.CHAINRULE_KERNELS;
if (forced === 'ts' || forced === 'wasm') setKernels(forced);
else if (forced) throw new Error(`CHAINRULE_KERNELS must be 'ts' or 'wasm', got '${forced}'`);

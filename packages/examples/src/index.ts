// @chainrule/examples: runnable programs; their building blocks are exported for tests.
export { tensorGraph, valueGraph, writeGraphs } from './graph';
export { makeMoons, type Points } from './moons';
export {
  accuracy,
  decisionBoundary,
  lossChart,
  type MoonsOptions,
  type MoonsResult,
  moonsDefaults,
  runMoons,
  trainMoonsMlp,
} from './moons-mlp';
export { type SaveLoadResult, saveLoadRoundTrip } from './save-load';
export { trainValueMlp, ValueMLP } from './value-mlp';
export { trainXor, xorInputs, xorLabels } from './xor';

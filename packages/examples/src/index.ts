// @chainrule/examples: runnable programs; their building blocks are exported for tests.
export {
  type ActivationName,
  activationNames,
  closedForm,
  type DerivativeCurves,
  derivativeCurves,
  EXPLODING_SCALE,
  type LayerNorms,
  layerGradientNorms,
  runActivations,
  writeActivationPictures,
} from './activations';
export {
  criticGradNorm,
  type PenaltyComparison,
  type PenaltyOptions,
  type PenaltyResult,
  runGradientPenalty,
  trainCritic,
  writePenaltyPicture,
} from './gradient-penalty';
export { chainRuleGraph, tensorGraph, valueGraph, writeGraphs } from './graph';
export {
  accuracyOf,
  confusionMatrix,
  type MnistModelKind,
  type MnistOptions,
  type MnistResult,
  makeModel,
  mnistDefaults,
  predict,
  saveAndReload,
  trainMnist,
  writeMnistPictures,
} from './mnist';
export { type Digits, loadAllDigits, mnistSplit, shiftDigits } from './mnist-data';
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
export {
  ALPHABET,
  CharMLP,
  contextsOf,
  loadNames,
  type NamesOptions,
  type NamesResult,
  namesDefaults,
  runNames,
  sampleName,
  trainNames,
} from './names';
export { derivatives, type PinnOptions, type PinnResult, runPinn, trainPinn, writePinnPicture } from './pinn';
export { heatmap, imageGrid, lineChart, renderSvg, type SeriesPoint, writeSvg } from './plot';
export { type SaveLoadResult, saveLoadRoundTrip } from './save-load';
export { handGradients, runTwoLayer, type TwoLayerResult, twoLayer } from './two-layer';
export { trainValueMlp, ValueMLP } from './value-mlp';
export {
  runXor,
  trainXor,
  XOR_SOLVED_SEED,
  XOR_STUCK_SEED,
  type XorResult,
  type XorWorked,
  type XorWorkedRow,
  xorInputs,
  xorLabels,
  xorTable,
  xorWorkedExample,
  xorWorkedTable,
} from './xor';

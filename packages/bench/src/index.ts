// @chainrule/bench: the benchmarks as functions (`pnpm bench` runs them through src/run.ts).

export { benchConv, type ConvTrainResult } from './conv';
export { type HeapReport, heapOfTrainingLoop } from './heap';
export { benchLstm, type LstmTrainResult } from './lstm';
export { benchMatmul, type MatmulRow } from './matmul';
export { compare, type Timing } from './measure';
export { benchMlpTrain, type MlpTrainResult } from './mlp-train';
export { benchOptimStep } from './optim-step';
export { benchSafetensors, type SafetensorsBenchResult } from './safetensors';
export { benchGemm, benchTrain, gemmCases } from './tables';
export { benchThreads, THREAD_WORKLOADS, type ThreadsRow, type TorchThreadsRow } from './threads';
export { benchValueMlp, type ValueBenchResult } from './value-mlp';

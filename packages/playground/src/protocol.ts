// The messages between the page (main.ts) and the training worker (worker.ts). At most one
// frame is in flight: the worker posts a frame, then waits for the page's 'drawn' before it
// posts the next (it keeps training meanwhile), so the page is never behind.
import type { PlaygroundState, Regularization } from './state';
import type { ExampleTrace, LayerSnapshot } from './trainer';

/** Page → worker. */
export type Command =
  /** Starts a new run; `run` numbers it, and every report of that run carries the number. */
  | { kind: 'reset'; state: PlaygroundState; run: number }
  | { kind: 'play' }
  | { kind: 'pause' }
  | { kind: 'step' }
  /** The page has drawn the last frame: the worker may post the next. */
  | { kind: 'drawn'; run: number }
  /** Settings applied live, from the next step on: learning rate, penalty, pace. */
  | { kind: 'live'; lr: number; reg: Regularization; regRate: number; pace: number }
  /** Trace this training example in the frames that follow (the inspector's example). */
  | { kind: 'probe'; index: number };

/** The resolution of the grid over the plane on which every neuron's value is drawn. */
export const GRID_RES = 48;

/** What the page draws: the state after `steps` optimizer steps. */
export interface Frame {
  steps: number;
  running: boolean;
  /** The data loss of each step since the previous frame, steps (steps − n, steps]. */
  newLosses: Float64Array;
  /** The mean data loss over all training points and over the held-out points, now. */
  trainLoss: number;
  testLoss: number;
  /** NaN for regression. */
  trainAccuracy: number;
  testAccuracy: number;
  stepsPerSecond: number;
  /**
   * Every neuron's value on a res × res grid over `domain`, rows from the top down: [column][unit],
   * column 0 the features; the last column's one map is the output (P(label 1), or the regression value).
   */
  maps: Float32Array[][];
  res: number;
  domain: [number, number, number, number];
  layers: LayerSnapshot[];
  /** ‖∂L/∂W⁽ˡ⁾‖ of the last step, per layer. */
  gradNorms: number[];
  trace: ExampleTrace;
}

/** Worker → page. */
export type Report =
  | {
      kind: 'data';
      run: number;
      train: { x: [number, number][]; y: number[] };
      test: { x: [number, number][]; y: number[] };
    }
  | { kind: 'frame'; run: number; frame: Frame }
  /** Sent at once on 'pause', ahead of the (costlier) last frame: the step training stopped at. */
  | { kind: 'paused'; run: number; steps: number }
  | { kind: 'error'; run: number; message: string };

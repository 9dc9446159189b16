// The messages between the page (main.ts) and the training worker (worker.ts).
import type { PlaygroundState } from './state';
import type { ExampleTrace, LayerSnapshot } from './trainer';

/** Page → worker. */
export type Command =
  /** Starts a new run; `run` numbers it, and every report of that run carries the number. */
  | { kind: 'reset'; state: PlaygroundState; run: number }
  | { kind: 'play' }
  | { kind: 'pause' }
  | { kind: 'step' }
  /** Trace this training example in the frames that follow (the inspector's example). */
  | { kind: 'probe'; index: number };

/** What the page draws after a burst of training steps. */
export interface Frame {
  steps: number;
  running: boolean;
  /** The loss of each step since the previous frame. */
  newLosses: number[];
  trainAccuracy: number;
  testAccuracy: number;
  stepsPerSecond: number;
  /** P(label 1) on a res × res grid over `domain`, rows from the top down. */
  grid: Float32Array;
  res: number;
  domain: [number, number, number, number];
  layers: LayerSnapshot[];
  trace: ExampleTrace;
}

/** Worker → page. */
export type Report =
  | { kind: 'data'; run: number; train: { x: [number, number][]; y: number[] } }
  | { kind: 'frame'; run: number; frame: Frame }
  | { kind: 'error'; run: number; message: string };

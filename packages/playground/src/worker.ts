// The training loop, off the main thread: bursts of optimizer steps, each followed by one frame
// for the page, then a yield to the event loop so pause, step and probe commands get through.
import type { Command, Frame, Report } from './protocol';
import { Trainer } from './trainer';

/**
 * A burst ends after 40 ms or 100 steps, whichever comes first: about 25 frames a second on a
 * slow machine, and on a fast one a frame at least every 100 steps, so the boundary is seen to move.
 */
const BURST_MS = 40;
const BURST_STEPS = 100;
const GRID_RES = 64;

let trainer: Trainer | null = null;
let running = false;
let probe = 0;
let newLosses: number[] = [];
let stepsPerSecond = 0;
let timer: ReturnType<typeof setTimeout> | null = null;
let run = 0;
/** When the previous burst started (null when paused): steps/s counts the frames' cost too. */
let lastBurst: number | null = null;
let newStepsSinceLast = 0;

const post = (report: Report) => self.postMessage(report);
const postFrame = () => post({ kind: 'frame', run, frame: frame() });

function frame(): Frame {
  const t = trainer as Trainer;
  const f: Frame = {
    steps: t.steps,
    running,
    newLosses,
    trainAccuracy: t.accuracy(t.train),
    testAccuracy: t.accuracy(t.test),
    stepsPerSecond,
    grid: t.grid(GRID_RES),
    res: GRID_RES,
    domain: t.domain,
    layers: t.snapshot(),
    trace: t.trace(probe),
  };
  newLosses = [];
  return f;
}

function burst(): void {
  timer = null;
  if (!running || trainer === null) return;
  const t0 = performance.now();
  if (lastBurst !== null) stepsPerSecond = (1000 * newStepsSinceLast) / (t0 - lastBurst);
  lastBurst = t0;
  let n = 0;
  while (n < BURST_STEPS && performance.now() - t0 < BURST_MS) {
    newLosses.push(trainer.step());
    n++;
  }
  newStepsSinceLast = n;
  postFrame();
  timer = setTimeout(burst, 0);
}

function handle(cmd: Command): void {
  switch (cmd.kind) {
    case 'reset':
      trainer = new Trainer(cmd.state);
      run = cmd.run;
      running = false;
      probe = 0;
      newLosses = [];
      stepsPerSecond = 0;
      post({ kind: 'data', run, train: trainer.train });
      postFrame();
      break;
    case 'play':
      running = true;
      lastBurst = null;
      if (timer === null) timer = setTimeout(burst, 0);
      break;
    case 'pause':
      running = false;
      if (trainer !== null) postFrame();
      break;
    case 'step':
      if (trainer === null) return;
      running = false;
      newLosses.push(trainer.step());
      postFrame();
      break;
    case 'probe':
      probe = cmd.index;
      if (trainer !== null) postFrame();
      break;
  }
}

self.onmessage = (e: MessageEvent<Command>) => {
  try {
    handle(e.data);
  } catch (err) {
    running = false;
    post({ kind: 'error', run, message: err instanceof Error ? err.message : String(err) });
  }
};

// The training loop, off the main thread. Steps run at the page's pace (or as fast as the
// machine goes), in bursts of at most BURST_MS so commands get through; after a burst the worker
// posts a frame only if the page has drawn the previous one, so frames never queue up.
import { type Command, type Frame, GRID_RES, type Report } from './protocol';
import { Trainer } from './trainer';

const BURST_MS = 20;

let trainer: Trainer | null = null;
let running = false;
let probe = 0;
let run = 0;
let newLosses: number[] = [];
/** Steps per second, 0 for full speed. */
let pace = 0;
/** A frame was posted and the page has not said it drew it. */
let inFlight = false;
/** Something changed since the last frame posted. */
let dirty = false;
let timer: ReturnType<typeof setTimeout> | null = null;
/** Paced runs: when the run (re)started and how many steps it has taken since. */
let paceStart = 0;
let paceSteps = 0;
/** Recent bursts, [time, steps taken]: steps/s is the sum over the last second. */
let bursts: [number, number][] = [];

const post = (report: Report, transfer: Transferable[] = []) => self.postMessage(report, { transfer });

function frame(): Frame {
  const t = trainer as Trainer;
  const now = performance.now();
  bursts = bursts.filter(([time]) => now - time < 1000);
  const maps = t.neuronMaps(GRID_RES);
  const f: Frame = {
    steps: t.steps,
    running,
    newLosses: Float64Array.from(newLosses),
    trainLoss: t.loss(t.train),
    testLoss: t.loss(t.test),
    trainAccuracy: t.accuracy(t.train),
    testAccuracy: t.accuracy(t.test),
    stepsPerSecond: running ? bursts.reduce((n, [, steps]) => n + steps, 0) : 0,
    maps,
    res: GRID_RES,
    domain: t.domain,
    layers: t.snapshot(),
    gradNorms: t.gradNorms(),
    trace: t.trace(probe),
  };
  newLosses = [];
  return f;
}

/** Posts a frame if there is news and the page is ready for it. */
function flush(): void {
  if (inFlight || !dirty || trainer === null) return;
  const f = frame();
  dirty = false;
  inFlight = true;
  post({ kind: 'frame', run, frame: f }, [f.newLosses.buffer, ...f.maps.flat().map((m) => m.buffer)]);
}

function schedule(ms: number): void {
  if (timer === null) timer = setTimeout(burst, ms);
}

function burst(): void {
  timer = null;
  if (!running || trainer === null) return;
  const t0 = performance.now();
  if (pace === 0) {
    let n = 0;
    for (; performance.now() - t0 < BURST_MS; n++) takeStep();
    record(n);
    then(() => 0);
    return;
  }
  // paced: the steps due by now, then sleep until the next one is due
  const due = Math.floor(((t0 - paceStart) * pace) / 1000) + 1;
  const before = paceSteps;
  while (paceSteps < due && performance.now() - t0 < BURST_MS) {
    takeStep();
    paceSteps++;
  }
  record(paceSteps - before);
  then(() => (paceSteps < due ? 0 : Math.max(0, paceStart + (1000 * paceSteps) / pace - performance.now())));
}

/**
 * After a burst: the frame, then the next burst after `wait()` ms. The frame is a task of its own,
 * so that a 'pause' which arrived during the steps is answered before the frame is computed.
 */
function then(wait: () => number): void {
  timer = setTimeout(() => {
    timer = null;
    flush();
    schedule(wait());
  }, 0);
}

function takeStep(): void {
  newLosses.push((trainer as Trainer).step());
  dirty = true;
}

function record(steps: number): void {
  const now = performance.now();
  bursts.push([now, steps]);
  while ((bursts[0] as [number, number])[0] < now - 1000) bursts.shift();
}

function restartPace(): void {
  paceStart = performance.now();
  paceSteps = 0;
}

function handle(cmd: Command): void {
  switch (cmd.kind) {
    case 'reset':
      trainer = new Trainer(cmd.state);
      run = cmd.run;
      running = false;
      probe = 0;
      newLosses = [];
      bursts = [];
      pace = cmd.state.pace;
      inFlight = false;
      post({ kind: 'data', run, train: trainer.train, test: trainer.test });
      dirty = true;
      flush();
      break;
    case 'play':
      if (running) return;
      running = true;
      restartPace();
      dirty = true;
      schedule(0);
      break;
    case 'pause':
      running = false;
      if (trainer !== null) post({ kind: 'paused', run, steps: trainer.steps });
      dirty = true;
      flush();
      break;
    case 'step':
      if (trainer === null) return;
      running = false;
      takeStep();
      flush();
      break;
    case 'drawn':
      if (cmd.run !== run) return; // a frame of an earlier run
      inFlight = false;
      flush();
      break;
    case 'live':
      trainer?.setLr(cmd.lr);
      trainer?.setRegularization(cmd.reg, cmd.regRate);
      if (cmd.pace !== pace) {
        pace = cmd.pace;
        restartPace();
      }
      dirty = true;
      flush();
      break;
    case 'probe':
      probe = cmd.index;
      dirty = true;
      flush();
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

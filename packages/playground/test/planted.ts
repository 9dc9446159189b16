// Bugs planted one at a time into the built playground, to prove that the browser tests look at
// what is drawn: `PLAYGROUND_PLANT=<name> vitest run packages/playground/test/browser.test.ts`
// builds the site with that one edit (a Vite plugin replaces `find` by `replace` in `file`), and
// the suite must fail. scripts/planted-bugs.ts runs them all and counts the bugs caught.

/** One planted bug: an edit of one source file of the page or the worker. */
export interface PlantedBug {
  name: string;
  /** What a user would see. */
  symptom: string;
  /** Path under packages/playground/src. */
  file: string;
  find: string;
  replace: string;
}

export const PLANTED: readonly PlantedBug[] = [
  {
    name: 'swapped-colours',
    symptom: 'the heat map paints label 1 orange and label 0 blue',
    file: 'draw.ts',
    find: 'const c = v > 0 ? C1 : C0;',
    replace: 'const c = v > 0 ? C0 : C1;',
  },
  {
    name: 'dead-reset',
    symptom: 'the reset button does nothing',
    file: 'main.ts',
    find: "$('reset').addEventListener('click', reset);",
    replace: '',
  },
  {
    name: 'dead-trace',
    symptom: 'clicking a dot of the plot does not trace it',
    file: 'main.ts',
    find: '  probe(best);\n',
    replace: '  void best;\n',
  },
  {
    name: 'pause-ignored',
    symptom: 'pause leaves the worker training',
    file: 'worker.ts',
    find: "case 'pause':\n      running = false;",
    replace: "case 'pause':\n      running = true;",
  },
  {
    name: 'no-test-loss',
    symptom: 'the held-out loss curve stays empty',
    file: 'main.ts',
    find: 'testLoss.push(f.steps, f.testLoss);',
    replace: '',
  },
  {
    name: 'dead-neuron-click',
    symptom: 'clicking a neuron does not open the inspector',
    file: 'main.ts',
    find: "networkSvg.addEventListener('click', (e) => select(e.target as Element));",
    replace: '',
  },
  {
    name: 'stretched-plot',
    symptom: 'the plot is stretched: the domain is the bounding box again, not a square',
    file: 'datasets.ts',
    find: 'return [cx - half, cx + half, cy - half, cy + half];',
    replace: 'return [x0 - margin, x1 + margin, y0 - margin, y1 + margin];',
  },
  {
    name: 'pace-ignored',
    symptom: 'the pace control has no effect: always full speed',
    file: 'worker.ts',
    find: 'if (pace === 0) {',
    replace: 'if (pace >= 0) {',
  },
  {
    name: 'discretize-ignored',
    symptom: '"discretize output" changes nothing',
    file: 'draw.ts',
    find: 'return view.discretize ? Math.sign(v) : v;',
    replace: 'return v;',
  },
  {
    name: 'lr-restarts',
    symptom: 'a learning-rate change restarts the run instead of applying live',
    file: 'main.ts',
    find: "for (const input of Object.values(live)) input.addEventListener('change', applyLive);",
    replace: "for (const input of Object.values(live)) input.addEventListener('change', restart);",
  },
];

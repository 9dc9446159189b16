// The guided tours (`?tour=xor`, `?tour=vanishing`, `?tour=chain-rule`): short walks through the
// examples of docs/backprop.md, each stop setting up the run it talks about, showing the formula
// at work and linking to its section.
import type { PlaygroundState, TourName } from './state';

/** One stop of a tour. */
export interface TourStop {
  title: string;
  /** What to look at, as HTML (static text written here, never user input). */
  text: string;
  /** The formula of docs/backprop.md at work, in TeX. */
  tex: string;
  /** Its F-numbers, as docs/backprop.md names them. */
  refs: string;
  /** The heading of docs/backprop.md that derives it (its anchor is GitHub's slug of this heading). */
  section: string;
  /** The run this stop sets up (the rest of the state is kept). */
  state: Partial<PlaygroundState>;
  /** Then: start training, or open the scalar-graph stepper on the stop's expression. */
  action?: 'play' | 'stepper';
}

const SIX_SIGMOID: Partial<PlaygroundState> = {
  problem: 'classification',
  data: 'circles',
  features: ['x1', 'x2'],
  hidden: [16, 16, 16, 16, 16, 16],
  act: 'sigmoid',
  opt: 'sgd',
  lr: 0.3,
  batch: 32,
  reg: 'none',
  regRate: 0,
};

/** The tours' stops, in order. */
export const TOUR: Record<TourName, { title: string; stops: TourStop[] }> = {
  xor: {
    title: 'XOR, one layer at a time',
    stops: [
      {
        title: 'No hidden layer: a line',
        text: 'XOR labels a point 1 where x₁·x₂ &lt; 0. With no hidden layer the output is σ(w·x + b): its boundary is a straight line, and no line separates the four quadrants. Watch the loss stall.',
        tex: 'y = \\sigma(w^\\top x + b)',
        refs: 'F1',
        section: 'The forward pass',
        state: {
          problem: 'classification',
          data: 'xor',
          features: ['x1', 'x2'],
          hidden: [],
          act: 'relu',
          opt: 'adam',
          lr: 0.03,
          reg: 'none',
        },
        action: 'play',
      },
      {
        title: 'Two ReLU units, as the worked example',
        text: 'The network of the worked example: 2 inputs, 2 ReLU units, a sigmoid output. Click a hidden neuron: its δ is the output error sent back through w⁽²⁾ and ReLU′, exactly the formula below, evaluated with this step’s numbers.',
        tex: "\\delta^{(1)} = w^{(2)} \\delta^{(2)} \\circ \\mathrm{ReLU}'(z^{(1)}), \\qquad \\delta^{(2)} = y - t",
        refs: 'F5, F9, F11',
        section: 'Worked example: XOR with two ReLU units',
        state: { data: 'xor', features: ['x1', 'x2'], hidden: [2], act: 'relu', opt: 'adam', lr: 0.03 },
        action: 'play',
      },
      {
        title: 'Dead units',
        text: 'A ReLU unit whose z ≤ 0 on every point has ReLU′ = 0 everywhere: its δ is 0 (F5), its weights never move again, and its heat map stays one flat colour. With more units (here 8) one dead unit no longer matters.',
        tex: "\\mathrm{ReLU}'(z) = [z > 0] \\;\\Rightarrow\\; \\delta_j = 0 \\text{ where } z_j \\le 0",
        refs: 'F5, F9',
        section: 'Worked example: XOR with two ReLU units',
        state: { data: 'xor', hidden: [8], act: 'relu' },
        action: 'play',
      },
      {
        title: 'The right feature',
        text: 'Give the network x₁x₂ as its only input: XOR becomes a threshold on one number, and a network with no hidden layer solves it.',
        tex: 'y = \\sigma(w\\, x_1 x_2 + b)',
        refs: 'F1',
        section: 'The forward pass',
        state: { data: 'xor', features: ['x1x2'], hidden: [] },
        action: 'play',
      },
    ],
  },
  vanishing: {
    title: 'Vanishing gradients, live',
    stops: [
      {
        title: 'Six sigmoid layers',
        text: 'σ′ ≤ ¼, so each sigmoid layer shrinks the error term on its way back. In the gradient-flow chart, layer 1’s ‖∂L/∂W‖ lies orders of magnitude below the last layer’s, and the first layers barely learn.',
        tex: '\\|\\delta^{(l)}\\| \\le \\tfrac14 \\|W^{(l+1)}\\|\\,\\|\\delta^{(l+1)}\\|',
        refs: 'F23, F5, F7',
        section: 'Vanishing gradients',
        state: SIX_SIGMOID,
        action: 'play',
      },
      {
        title: 'The same network with ReLU',
        text: 'ReLU′ is exactly 1 where a unit is active (F9): δ passes through unscaled, and the norms of every layer stay within a small factor of each other.',
        tex: "\\mathrm{ReLU}'(z) = [z > 0]",
        refs: 'F9, F23',
        section: 'Vanishing gradients',
        state: { ...SIX_SIGMOID, act: 'relu', lr: 0.03 },
        action: 'play',
      },
      {
        title: 'tanh in between',
        text: 'tanh′ reaches 1 only at z = 0 and vanishes for large |z|, like σ′: watch where its norms settle.',
        tex: "\\tanh'(z) = 1 - \\tanh^2 z",
        refs: 'F8, F23',
        section: 'Vanishing gradients',
        state: { ...SIX_SIGMOID, act: 'tanh', lr: 0.1 },
        action: 'play',
      },
    ],
  },
  'chain-rule': {
    title: 'The chain rule, node by node',
    stops: [
      {
        title: 'A graph of Values',
        text: 'The expression below is built from @chainrule/core Values; each box is a node, n0, n1, … in the order the engine sorts them. Press “backward: next node”: the seed ∂L/∂L = 1 starts at the root.',
        tex: 'L = \\tanh(a b + c)\\, a',
        refs: 'F16',
        section: 'The backward pass',
        state: { expr: 'tanh(a*b + c) * a', vars: 'a = 2, b = -0.5, c = 0.3' },
        action: 'stepper',
      },
      {
        title: 'Each node sends grad × local derivative',
        text: 'A node’s gradient is complete when the walk reaches it; it then adds ∂L/∂node · ∂node/∂operand to each operand. tanh sends through 1 − tanh² (F8).',
        tex: '\\frac{\\partial L}{\\partial u} \\mathrel{+}= \\frac{\\partial L}{\\partial v} \\cdot \\frac{\\partial v}{\\partial u}',
        refs: 'F8, F16',
        section: 'The backward pass',
        state: {},
        action: 'stepper',
      },
      {
        title: 'A value used twice',
        text: 'a appears twice: its gradient is the sum over both paths (F16). Step to the end and compare with Value.backward(): the same numbers.',
        tex: '\\frac{\\partial L}{\\partial a} = \\tanh(ab + c) + a\\,(1 - \\tanh^2(ab + c))\\, b',
        refs: 'F16',
        section: 'Matrix form, batches and broadcasting',
        state: {},
        action: 'stepper',
      },
    ],
  },
};

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-');
}

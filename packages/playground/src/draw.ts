// Drawing: the decision boundary (canvas heat map), the loss curve (canvas) and the network
// (SVG). Pure functions of what a worker frame holds.
import type { Points } from './datasets';
import type { ExampleTrace, LayerSnapshot } from './trainer';

/** Label 0 and negative weights: orange; label 1 and positive weights: blue (TensorFlow Playground's colours). */
const C0 = [245, 147, 34] as const;
const C1 = [8, 119, 189] as const;

/** Mixes white towards the colour of the likelier label, by how sure the model is: |2p − 1|. */
function probColour(p: number): [number, number, number] {
  const c = p > 0.5 ? C1 : C0;
  const s = Math.min(1, Math.abs(2 * p - 1)) * 0.75;
  return [255 + (c[0] - 255) * s, 255 + (c[1] - 255) * s, 255 + (c[2] - 255) * s];
}

const gridCanvas = document.createElement('canvas');

/** The heat map of P(label 1) on the grid, scaled to the canvas, with the points on top. */
export function drawBoundary(
  canvas: HTMLCanvasElement,
  grid: Float32Array,
  res: number,
  domain: readonly number[],
  points: Points | null,
  probe: number,
): void {
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
  gridCanvas.width = res;
  gridCanvas.height = res;
  const gctx = gridCanvas.getContext('2d') as CanvasRenderingContext2D;
  const img = gctx.createImageData(res, res);
  grid.forEach((p, k) => {
    const [r, g, b] = probColour(p);
    img.data.set([r, g, b, 255], 4 * k);
  });
  gctx.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(gridCanvas, 0, 0, canvas.width, canvas.height);
  if (points === null) return;
  points.x.forEach((p, i) => {
    const [cx, cy] = toCanvas(canvas, domain, p);
    ctx.beginPath();
    ctx.arc(cx, cy, i === probe ? 6 : 3.5, 0, 2 * Math.PI);
    const c = points.y[i] === 1 ? C1 : C0;
    ctx.fillStyle = `rgb(${c.join(',')})`;
    ctx.fill();
    ctx.lineWidth = i === probe ? 2.5 : 1;
    ctx.strokeStyle = i === probe ? '#000' : '#fff';
    ctx.stroke();
  });
}

/** Canvas pixel of a point of the plane. */
export function toCanvas(canvas: HTMLCanvasElement, domain: readonly number[], p: readonly number[]): [number, number] {
  const [x0, x1, y0, y1] = domain as [number, number, number, number];
  return [(((p[0] as number) - x0) / (x1 - x0)) * canvas.width, ((y1 - (p[1] as number)) / (y1 - y0)) * canvas.height];
}

/**
 * The loss of every step so far, on a linear scale from 0 to its largest value: each mini-batch's
 * loss in grey, their exponential moving average (weight 0.05 on the newest) in black.
 */
export function drawLoss(canvas: HTMLCanvasElement, losses: readonly number[]): void {
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
  const { width: w, height: h } = canvas;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, h);
  ctx.fillStyle = '#666';
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillText('loss per step (binary cross-entropy)', 6, 13);
  if (losses.length < 2) return;
  const top = Math.max(...losses.filter(Number.isFinite));
  const pad = 20;
  let ema = losses[0] as number;
  const smooth = losses.map((l) => {
    ema += 0.05 * (l - ema);
    return ema;
  });
  // at most one vertex per pixel column
  const stride = Math.max(1, Math.floor(losses.length / w));
  const line = (series: readonly number[], colour: string, width: number) => {
    ctx.beginPath();
    for (let i = 0; i < series.length; i += stride) {
      const x = (i / (series.length - 1)) * w;
      const y = h - ((series[i] as number) / top) * (h - pad);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    }
    ctx.strokeStyle = colour;
    ctx.lineWidth = width;
    ctx.stroke();
  };
  line(losses, '#bbb', 1);
  line(smooth, '#222', 1.8);
  ctx.fillStyle = '#666';
  ctx.fillText(`max ${top.toPrecision(3)}`, w - 70, 13);
}

const SVG = 'http://www.w3.org/2000/svg';

function el(name: string, attrs: Record<string, string | number>, parent: Element): SVGElement {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent.appendChild(e);
  return e;
}

/**
 * The network 2 → hidden… → 1 as columns of neurons; each edge from neuron i of a layer to
 * neuron j of the next is W_ji: width from |W_ji|, colour from its sign, opacity from
 * |∂L/∂W_ji|. Neurons are filled by their activation for the traced example. Hidden and output
 * neurons carry data-layer (0-based Linear layer) and data-unit.
 */
export function drawNetwork(
  svg: SVGSVGElement,
  layers: readonly LayerSnapshot[],
  trace: ExampleTrace,
  selected: { layer: number; unit: number } | null,
): void {
  svg.replaceChildren();
  const width = Number(svg.getAttribute('width'));
  const height = Number(svg.getAttribute('height'));
  const sizes = [2, ...layers.map((l) => l.bias.length)];
  const mx = 40;
  const colX = (c: number) => mx + (c * (width - 2 * mx)) / (sizes.length - 1);
  const rowY = (c: number, j: number) => {
    const n = sizes[c] as number;
    const gap = Math.min(34, (height - 30) / n);
    return height / 2 + (j - (n - 1) / 2) * gap;
  };
  const maxW = Math.max(1e-12, ...layers.flatMap((l) => l.weight.flat().map(Math.abs)));
  const maxG = Math.max(1e-12, ...layers.flatMap((l) => (l.weightGrad ?? []).flat().map(Math.abs)));
  const edges = el('g', {}, svg);
  layers.forEach((layer, l) => {
    layer.weight.forEach((row, j) => {
      row.forEach((w, i) => {
        const g = layer.weightGrad?.[j]?.[i] ?? 0;
        const line = el(
          'line',
          {
            x1: colX(l),
            y1: rowY(l, i),
            x2: colX(l + 1),
            y2: rowY(l + 1, j),
            stroke: `rgb(${(w >= 0 ? C1 : C0).join(',')})`,
            'stroke-width': (0.5 + (4 * Math.abs(w)) / maxW).toFixed(2),
            'stroke-opacity': (0.15 + 0.85 * Math.sqrt(Math.abs(g) / maxG)).toFixed(3),
          },
          edges,
        );
        el('title', {}, line).textContent =
          `W${l + 1}[${j + 1},${i + 1}] = ${w.toPrecision(4)}, ∂L/∂W = ${g.toPrecision(4)}`;
      });
    });
  });
  sizes.forEach((n, c) => {
    for (let j = 0; j < n; j++) {
      const a = c === 0 ? trace.x[j] : trace.layers[c - 1]?.a[j];
      // fill by activation: tanh and the inputs in [−1, 1], sigmoid and the output probability in [0, 1]
      const v = Math.max(-1, Math.min(1, (a ?? 0) as number));
      const col = v >= 0 ? C1 : C0;
      const s = Math.abs(v);
      const fill = `rgb(${col.map((x) => Math.round(255 + (x - 255) * s)).join(',')})`;
      const attrs: Record<string, string | number> = { cx: colX(c), cy: rowY(c, j), r: 10, fill };
      if (c > 0) {
        attrs['data-layer'] = c - 1;
        attrs['data-unit'] = j;
      }
      const circle = el('circle', attrs, svg);
      circle.classList.add('neuron');
      if (selected && c - 1 === selected.layer && j === selected.unit) circle.classList.add('selected');
      el('title', {}, circle).textContent =
        c === 0
          ? `input x${j + 1} = ${(a as number).toPrecision(4)}`
          : `layer ${c}, neuron ${j + 1}: a = ${(a as number).toPrecision(4)}`;
    }
    const label = c === 0 ? 'input' : c === sizes.length - 1 ? 'output' : `hidden ${c}`;
    el('text', { x: colX(c), y: 12, 'text-anchor': 'middle' }, svg).textContent = label;
  });
}

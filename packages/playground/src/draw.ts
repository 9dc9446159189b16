// Drawing: the output over the plane (canvas heat map with SVG axes), line charts (SVG) and the
// network (SVG with a heat-map thumbnail per neuron). Charts and the network are built once and
// then updated in place, so an element under the pointer stays the same element while training.
import type { Points } from './datasets';
import type { Bucket } from './series';
import type { LayerSnapshot } from './trainer';

/**
 * Negative values, label 0 and negative weights: orange; positive, label 1 and positive
 * weights: blue (TensorFlow Playground's hues; this orange is darkened to 3.3:1 against white,
 * the contrast WCAG asks of graphics).
 */
export const C0 = [217, 109, 0] as const;
/** See C0 (4.7:1 against white). */
export const C1 = [8, 119, 189] as const;
const rgb = (c: readonly number[]) => `rgb(${c.join(',')})`;

/** White mixed towards C1 (v > 0) or C0 (v < 0) by |v| (clipped to 1) times `strength`. */
export function signedColour(v: number, strength = 1): [number, number, number] {
  const c = v > 0 ? C1 : C0;
  const s = Math.min(1, Math.abs(Number.isNaN(v) ? 0 : v)) * strength;
  return [255 + (c[0] - 255) * s, 255 + (c[1] - 255) * s, 255 + (c[2] - 255) * s];
}

/** How the output is shown: P(label 1) ↦ 2P − 1 for classification, the value itself for regression. */
export interface OutputView {
  regression: boolean;
  /** Colour by the sign only (the decision), at full strength. */
  discretize: boolean;
}

/** The output's signed value for colouring, in [−1, 1]. */
export function signedOutput(p: number, view: OutputView): number {
  const v = view.regression ? p : 2 * p - 1;
  return view.discretize ? Math.sign(v) : v;
}

/** signedColour at 511 levels of v ∈ [−1, 1], RGB interleaved, per strength: frames paint ~10⁵ pixels. */
const LEVELS = 255;
const tables = new Map<number, Uint8ClampedArray>();
function table(strength: number): Uint8ClampedArray {
  let t = tables.get(strength);
  if (t === undefined) {
    t = new Uint8ClampedArray(3 * (2 * LEVELS + 1));
    for (let i = 0; i <= 2 * LEVELS; i++) t.set(signedColour(i / LEVELS - 1, strength), 3 * i);
    tables.set(strength, t);
  }
  return t;
}

/** Paints a res × res map into `img` (RGBA), value k at pixel k; `scale` maps a value to [−1, 1]. */
function paint(img: ImageData, map: ArrayLike<number>, scale: (v: number) => number, strength: number): void {
  const t = table(strength);
  for (let k = 0; k < map.length; k++) {
    const v = scale(map[k] as number);
    const c = Number.isNaN(v) ? 0 : Math.max(-1, Math.min(1, v));
    const i = 3 * Math.round((c + 1) * LEVELS);
    img.data[4 * k] = t[i] as number;
    img.data[4 * k + 1] = t[i + 1] as number;
    img.data[4 * k + 2] = t[i + 2] as number;
    img.data[4 * k + 3] = 255;
  }
}

const SVG = 'http://www.w3.org/2000/svg';

function el<K extends keyof SVGElementTagNameMap>(
  name: K,
  attrs: Record<string, string | number>,
  parent: Element,
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent.appendChild(e);
  return e;
}

/** Tick values: 1, 2 or 5 × 10ᵏ apart, about `count` of them over [lo, hi]. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) as number;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9 * step; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

// ---- the plane ---------------------------------------------------------------------------------

/** Canvas size of the plot area and the margins the axes take in the overlay (viewBox units = CSS px at full size). */
export const PLOT = { size: 300, left: 34, top: 6, bottom: 24, right: 6 } as const;

const gridCanvas = typeof document === 'undefined' ? null : document.createElement('canvas');

/** The output over the plane with the points on top, and the axes around it. */
export class PlanePlot {
  private axesFor = '';

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly axes: SVGSVGElement,
  ) {}

  /** The canvas pixel of a point of the plane (one scale for both axes: the domain is square). */
  toCanvas(domain: readonly number[], p: readonly number[]): [number, number] {
    const [x0, x1, y0, y1] = domain as [number, number, number, number];
    const { width: w, height: h } = this.canvas;
    return [(((p[0] as number) - x0) / (x1 - x0)) * w, ((y1 - (p[1] as number)) / (y1 - y0)) * h];
  }

  draw(
    grid: Float32Array,
    res: number,
    domain: readonly number[],
    view: OutputView,
    train: Points | null,
    test: Points | null,
    probe: number,
  ): void {
    const ctx = this.canvas.getContext('2d') as CanvasRenderingContext2D;
    const g = gridCanvas as HTMLCanvasElement;
    g.width = res;
    g.height = res;
    const gctx = g.getContext('2d') as CanvasRenderingContext2D;
    const img = gctx.createImageData(res, res);
    paint(img, grid, (p) => signedOutput(p, view), view.discretize ? 0.6 : 0.75);
    gctx.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = !view.discretize;
    ctx.drawImage(g, 0, 0, this.canvas.width, this.canvas.height);
    const dots = (points: Points, held: boolean) => {
      points.x.forEach((p, i) => {
        const [cx, cy] = this.toCanvas(domain, p);
        const traced = !held && i === probe;
        ctx.beginPath();
        ctx.arc(cx, cy, traced ? 6 : 3.5, 0, 2 * Math.PI);
        const t = points.y[i] as number;
        ctx.fillStyle = rgb(view.regression ? signedColour(t) : t === 1 ? C1 : C0);
        ctx.fill();
        ctx.lineWidth = traced ? 2.5 : held ? 1.5 : 1;
        ctx.strokeStyle = traced || held ? '#000' : '#fff';
        ctx.stroke();
      });
    };
    if (train) dots(train, false);
    if (test) dots(test, true);
    this.drawAxes(domain);
  }

  private drawAxes(domain: readonly number[]): void {
    const key = domain.join(',');
    if (key === this.axesFor) return;
    this.axesFor = key;
    const [x0, x1, y0, y1] = domain as [number, number, number, number];
    const { size, left, top } = PLOT;
    this.axes.replaceChildren();
    el('rect', { x: left, y: top, width: size, height: size, class: 'frame' }, this.axes);
    for (const t of ticks(x0, x1)) {
      const x = left + ((t - x0) / (x1 - x0)) * size;
      el('line', { x1: x, x2: x, y1: top + size, y2: top + size + 4, class: 'tick' }, this.axes);
      const text = el('text', { x, y: top + size + 16, 'text-anchor': 'middle', 'data-axis': 'x' }, this.axes);
      text.textContent = String(t);
    }
    for (const t of ticks(y0, y1)) {
      const y = top + ((y1 - t) / (y1 - y0)) * size;
      el('line', { x1: left - 4, x2: left, y1: y, y2: y, class: 'tick' }, this.axes);
      const text = el('text', { x: left - 6, y: y + 4, 'text-anchor': 'end', 'data-axis': 'y' }, this.axes);
      text.textContent = String(t);
    }
    el('text', { x: left + size - 2, y: top + size - 6, 'text-anchor': 'end', class: 'name' }, this.axes).textContent =
      'x₁';
    el('text', { x: left + 6, y: top + 14, class: 'name' }, this.axes).textContent = 'x₂';
  }
}

// ---- line charts ---------------------------------------------------------------------------------

/** One curve of a chart. */
export interface SeriesStyle {
  name: string;
  label: string;
  colour: string;
  width?: number;
  dash?: string;
}

/** A line chart over steps, in SVG, updated in place: O(points) per update, whatever the run's length. */
export class LineChart {
  private readonly lines = new Map<string, SVGPolylineElement>();
  private readonly yAxis: SVGGElement;
  private readonly xLabel: SVGTextElement;
  private readonly legend: SVGGElement;
  static readonly W = 320;
  static readonly H = 160;
  static readonly PAD = { left: 44, right: 8, top: 22, bottom: 20 };

  constructor(
    private readonly svg: SVGSVGElement,
    title: string,
    private readonly log: boolean,
  ) {
    const { W, H } = LineChart;
    svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
    svg.replaceChildren();
    el('text', { x: 6, y: 13, class: 'title' }, svg).textContent = title;
    this.yAxis = el('g', { class: 'y-axis' }, svg);
    this.xLabel = el('text', { x: W - LineChart.PAD.right, y: H - 4, 'text-anchor': 'end', class: 'x-label' }, svg);
    this.legend = el('g', { class: 'legend' }, svg);
  }

  /** Sets the curves shown (rebuilds the polylines only if the names changed). */
  setSeries(styles: readonly SeriesStyle[]): void {
    const names = styles.map((s) => s.name).join(',');
    if (names === [...this.lines.keys()].join(',')) return;
    for (const line of this.lines.values()) line.remove();
    this.lines.clear();
    this.legend.replaceChildren();
    styles.forEach((s, i) => {
      const line = el(
        'polyline',
        { fill: 'none', stroke: s.colour, 'stroke-width': s.width ?? 1.5, 'data-series': s.name },
        this.svg,
      );
      if (s.dash) line.setAttribute('stroke-dasharray', s.dash);
      el('title', {}, line).textContent = s.label;
      this.lines.set(s.name, line);
      const x = LineChart.W - 8 - (styles.length - 1 - i) * 62;
      el('line', { x1: x - 58, x2: x - 46, y1: 10, y2: 10, stroke: s.colour, 'stroke-width': 2 }, this.legend);
      el('text', { x: x - 43, y: 13, class: 'legend-text' }, this.legend).textContent = s.label;
    });
  }

  /** Draws each series' buckets against the step, on a common y range (log10 if the chart is logarithmic). */
  update(data: Record<string, readonly Bucket[]>, lastStep: number): void {
    const { W, H, PAD } = LineChart;
    const f = (v: number) => (this.log ? Math.log10(v) : v);
    let [lo, hi] = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    for (const buckets of Object.values(data)) {
      for (const b of buckets) {
        const v = f(b.mean);
        if (!Number.isFinite(v)) continue;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    if (!(hi >= lo)) [lo, hi] = this.log ? [-3, 0] : [0, 1];
    if (!this.log) lo = Math.min(0, lo);
    if (this.log) [lo, hi] = [Math.floor(lo), Math.max(Math.ceil(hi), Math.floor(lo) + 1)];
    if (hi === lo) hi = lo + 1;
    const steps = Math.max(1, lastStep);
    const px = (s: number) => PAD.left + (s / steps) * (W - PAD.left - PAD.right);
    const py = (v: number) => H - PAD.bottom - ((v - lo) / (hi - lo)) * (H - PAD.top - PAD.bottom);
    for (const [name, line] of this.lines) {
      const buckets = data[name] ?? [];
      const pts: string[] = [];
      for (const b of buckets) {
        const v = f(b.mean);
        if (Number.isFinite(v)) pts.push(`${px(b.first + b.count / 2).toFixed(1)},${py(v).toFixed(1)}`);
      }
      line.setAttribute('points', pts.join(' '));
    }
    this.yAxis.replaceChildren();
    const ys = this.log ? Array.from({ length: hi - lo + 1 }, (_, i) => lo + i) : ticks(lo, hi, 4);
    const every = Math.ceil(ys.length / 6);
    ys.forEach((t, i) => {
      if (i % every !== 0) return;
      const y = py(t);
      el('line', { x1: PAD.left, x2: W - PAD.right, y1: y, y2: y, class: 'grid-line' }, this.yAxis);
      const label = this.log ? `1e${t}` : String(t);
      el('text', { x: PAD.left - 4, y: y + 4, 'text-anchor': 'end' }, this.yAxis).textContent = label;
    });
    this.xLabel.textContent = `step ${lastStep}`;
  }
}

// ---- the network ---------------------------------------------------------------------------------

/** What the network view needs of a frame. */
export interface NetworkFrame {
  layers: readonly LayerSnapshot[];
  maps: readonly (readonly Float32Array[])[];
  mapRes: number;
  /** Each neuron's value for the traced example: column 0 the features. */
  values: readonly (readonly number[])[];
}

const BOX = 28;

/**
 * The network features → hidden… → 1 as columns of neurons, each a heat map of its value over
 * the plane; each edge from neuron i of a layer to neuron j of the next is W_ji: width from
 * |W_ji|, colour from its sign, opacity from |∂L/∂W_ji|. Hidden and output neurons are
 * buttons (click, Enter or Space) carrying data-layer (0-based Linear layer) and data-unit.
 */
export class NetworkView {
  private sizes: number[] = [];
  private edges: SVGLineElement[][][] = [];
  private neurons: { g: SVGGElement; canvas: HTMLCanvasElement; title: SVGTitleElement }[][] = [];
  private layout = '';
  view: OutputView = { regression: false, discretize: false };

  constructor(
    private readonly svg: SVGSVGElement,
    private readonly act: () => string,
  ) {}

  /** Builds the elements for these layer sizes (a no-op if they are already built for them and `width`). */
  build(sizes: readonly number[], featureLabels: readonly string[], width: number): void {
    const key = `${sizes.join(',')}|${featureLabels.join(',')}|${width}`;
    if (key === this.layout) return;
    this.layout = key;
    this.sizes = [...sizes];
    const svg = this.svg;
    const title = svg.querySelector('title');
    svg.replaceChildren(...(title ? [title] : []));
    const rowGap = 36;
    const most = Math.max(...sizes);
    const height = most * rowGap + 30;
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    svg.setAttribute('width', String(width));
    svg.setAttribute('height', String(height));
    const mx = 58;
    const colX = (c: number) => mx + (c * (width - mx - 30)) / Math.max(1, sizes.length - 1);
    const rowY = (c: number, j: number) => 24 + (most * rowGap) / 2 + (j - ((sizes[c] as number) - 1) / 2) * rowGap;
    const edgeGroup = el('g', { class: 'edges' }, svg);
    this.edges = sizes.slice(1).map((n, l) => {
      const g = el('g', { 'data-edges': l }, edgeGroup);
      return Array.from({ length: n }, (_, j) =>
        Array.from({ length: sizes[l] as number }, (_, i) => {
          const line = el('line', { x1: colX(l), y1: rowY(l, i), x2: colX(l + 1), y2: rowY(l + 1, j) }, g);
          line.dataset.edge = `${l} ${j} ${i}`;
          return line;
        }),
      );
    });
    this.neurons = sizes.map((n, c) =>
      Array.from({ length: n }, (_, j) => {
        const g = el('g', { class: c === 0 ? 'feature' : 'neuron' }, svg);
        const [x, y] = [colX(c) - BOX / 2, rowY(c, j) - BOX / 2];
        const fo = el('foreignObject', { x, y, width: BOX, height: BOX }, g);
        const canvas = document.createElement('canvas');
        canvas.dataset.neuronMap = c === 0 ? `input ${j}` : `${c - 1} ${j}`;
        fo.appendChild(canvas);
        el('rect', { x, y, width: BOX, height: BOX, class: 'box' }, g);
        const title = el('title', {}, g);
        if (c > 0) {
          g.setAttribute('data-layer', String(c - 1));
          g.setAttribute('data-unit', String(j));
          g.setAttribute('tabindex', '0');
          g.setAttribute('role', 'button');
          const where = c === sizes.length - 1 ? 'the output neuron' : `hidden layer ${c}, neuron ${j + 1}`;
          g.setAttribute('aria-label', `inspect ${where}`);
        } else {
          g.setAttribute('data-feature', featureLabels[j] as string);
          el('text', { x: x - 4, y: y + BOX / 2 + 4, 'text-anchor': 'end' }, svg).textContent = featureLabels[
            j
          ] as string;
        }
        return { g, canvas, title };
      }),
    );
    sizes.forEach((_, c) => {
      const label = c === 0 ? 'input' : c === sizes.length - 1 ? 'output' : `hidden ${c}`;
      el('text', { x: colX(c), y: 14, 'text-anchor': 'middle', class: 'column' }, svg).textContent = label;
    });
  }

  /** Updates edges and neurons in place from a frame. */
  update(f: NetworkFrame, selected: { layer: number; unit: number } | null): void {
    let maxW = 1e-12;
    let maxG = 1e-12;
    for (const l of f.layers) {
      for (const row of l.weight) for (const w of row) maxW = Math.max(maxW, Math.abs(w));
      for (const row of l.weightGrad ?? []) for (const g of row) maxG = Math.max(maxG, Math.abs(g));
    }
    f.layers.forEach((layer, l) => {
      layer.weight.forEach((row, j) => {
        row.forEach((w, i) => {
          const line = this.edges[l]?.[j]?.[i];
          if (!line) return;
          const g = layer.weightGrad?.[j]?.[i] ?? 0;
          line.setAttribute('stroke', rgb(w >= 0 ? C1 : C0));
          line.setAttribute('stroke-width', (0.5 + (4 * Math.abs(w)) / maxW).toFixed(2));
          line.setAttribute('stroke-opacity', (0.15 + 0.85 * Math.sqrt(Math.abs(g) / maxG)).toFixed(3));
        });
      });
    });
    const last = this.sizes.length - 1;
    this.neurons.forEach((column, c) => {
      column.forEach((n, j) => {
        const map = f.maps[c]?.[j];
        if (map) this.paintMap(n.canvas, map, f.mapRes, c, last);
        const v = f.values[c]?.[j] ?? Number.NaN;
        n.title.textContent =
          c === 0
            ? `input ${n.g.getAttribute('data-feature')} = ${v.toPrecision(4)}`
            : `${c === last ? 'output' : `layer ${c}, neuron ${j + 1}`}: a = ${v.toPrecision(4)} (${c === last ? 'output' : this.act()})`;
        n.g.classList.toggle('selected', selected !== null && c - 1 === selected.layer && j === selected.unit);
      });
    });
  }

  /** Paints one neuron's map: the output as the plane's plot does, features scaled to their largest |value|. */
  paintMap(canvas: HTMLCanvasElement, map: Float32Array, res: number, column: number, last: number): void {
    if (canvas.width !== res) {
      canvas.width = res;
      canvas.height = res;
    }
    const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
    const img = ctx.createImageData(res, res);
    let scale: (v: number) => number = (v) => v;
    if (column === last) scale = (p) => signedOutput(p, this.view);
    else if (column === 0) {
      let m = 1e-12;
      for (const v of map) m = Math.max(m, Math.abs(v));
      scale = (v) => v / m;
    }
    paint(img, map, scale, 0.9);
    ctx.putImageData(img, 0, 0);
  }

  /** The tooltip of an edge (`data-edge="l j i"`), written when the pointer reaches it. */
  static edgeTitle(line: SVGLineElement, layers: readonly LayerSnapshot[]): void {
    const [l, j, i] = (line.dataset.edge ?? '').split(' ').map(Number) as [number, number, number];
    const w = layers[l]?.weight[j]?.[i];
    if (w === undefined) return;
    const g = layers[l]?.weightGrad?.[j]?.[i] ?? 0;
    const title = (line.firstChild as SVGTitleElement | null) ?? el('title', {}, line);
    title.textContent = `W${l + 1}[${j + 1},${i + 1}] = ${w.toPrecision(4)}, ∂L/∂W = ${g.toPrecision(4)}`;
  }

  /** The neuron element of Linear layer `layer`, unit `unit`. */
  neuron(layer: number, unit: number): SVGGElement | undefined {
    return this.neurons[layer + 1]?.[unit]?.g;
  }

  /** The edge groups, one per Linear layer (for the backward animation). */
  edgeGroup(layer: number): Element | null {
    return this.svg.querySelector(`[data-edges="${layer}"]`);
  }
}

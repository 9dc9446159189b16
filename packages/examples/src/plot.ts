// Pictures as SVG files: vega-lite specs rendered by vega's headless View (no browser, no canvas,
// no native module). Why vega-lite: a chart is a short declarative spec (data, mark, encoding) that
// reads like a description of the picture, and vega renders it to SVG in Node in ~0.1 s per chart
// (~1 s to import once). It costs ~25 MB of pure-JS dependencies; the lighter alternatives draw
// into a DOM (Observable Plot, Chart.js) and need a DOM shim (linkedom, jsdom) or a native canvas.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';

export type { TopLevelSpec };

/** Renders a vega-lite spec to an SVG document (white background). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Renders `spec` and writes it to `path` (creating its directory); returns `path`. */
export async function writeSvg(path: string, spec: TopLevelSpec): Promise<string> {
  const svg = await renderSvg(spec);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, svg);
  return path;
}

/** One point of a line chart: `series` names the line it belongs to. */
export interface SeriesPoint {
  x: number;
  y: number;
  series: string;
}

/** Several lines on shared axes, one colour per series (a log y axis with `logY`). */
export function lineChart(opts: {
  title: string;
  xTitle: string;
  yTitle: string;
  points: SeriesPoint[];
  logY?: boolean;
  /** Mark each data point with a dot (default false). */
  dots?: boolean;
  width?: number;
  height?: number;
}): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: opts.title,
    width: opts.width ?? 480,
    height: opts.height ?? 280,
    background: 'white',
    data: { values: opts.points },
    mark: { type: 'line', point: opts.dots ?? false, clip: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: opts.xTitle },
      y: {
        field: 'y',
        type: 'quantitative',
        title: opts.yTitle,
        scale: opts.logY ? { type: 'log' } : { zero: false },
        ...(opts.logY ? { axis: { format: '~g', tickCount: 8 } } : {}),
      },
      color: { field: 'series', type: 'nominal', title: null },
    },
  };
}

/** A matrix as coloured cells with its counts written in them (e.g. a confusion matrix). */
export function heatmap(opts: {
  title: string;
  rowTitle: string;
  columnTitle: string;
  matrix: number[][];
}): TopLevelSpec {
  const values = opts.matrix.flatMap((row, r) => row.map((count, c) => ({ row: r, column: c, count })));
  const max = Math.max(...values.map((v) => v.count));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: opts.title,
    background: 'white',
    data: { values },
    encoding: {
      x: { field: 'column', type: 'ordinal', title: opts.columnTitle },
      y: { field: 'row', type: 'ordinal', title: opts.rowTitle },
    },
    layer: [
      {
        mark: 'rect',
        encoding: {
          // symlog: the few off-diagonal counts stay visible next to the large diagonal ones
          color: {
            field: 'count',
            type: 'quantitative',
            scale: { type: 'symlog', range: ['#ffffff', '#08519c'], interpolate: 'rgb' },
            legend: null,
          },
        },
      },
      {
        mark: { type: 'text', fontSize: 10 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: `datum.count > ${max / 8}`, value: 'white' }, value: 'black' },
        },
      },
    ],
    config: { view: { step: 28 }, axis: { labelAngle: 0 } },
  };
}

/**
 * Grey-level images (e.g. 28×28 digits) as a grid of small pictures, each with a caption. Only
 * the pixels above 0.2 are drawn, as dark squares on white, which keeps the file small.
 */
export function imageGrid(opts: {
  title: string;
  images: { pixels: ArrayLike<number>; caption: string }[];
  size: number;
  columns?: number;
}): TopLevelSpec {
  const values: { caption: string; i: number; r: number; c: number; v: number }[] = [];
  opts.images.forEach(({ pixels, caption }, i) => {
    for (let k = 0; k < opts.size * opts.size; k++) {
      const v = pixels[k] as number;
      if (v > 0.2)
        values.push({ caption: `${i + 1}. ${caption}`, i, r: Math.floor(k / opts.size), c: k % opts.size, v });
    }
  });
  const axis = { field: 'r', type: 'quantitative' as const, scale: { domain: [0, opts.size] }, axis: null };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: opts.title,
    background: 'white',
    data: { values },
    facet: { field: 'caption', type: 'nominal', title: null, sort: { field: 'i' } },
    columns: opts.columns ?? 6,
    spec: {
      width: 84,
      height: 84,
      mark: { type: 'rect', aria: false }, // no per-pixel aria-label: a third of the file size
      encoding: {
        x: { ...axis, field: 'c' },
        x2: { field: 'c1' },
        y: { ...axis, scale: { domain: [0, opts.size], reverse: true } },
        y2: { field: 'r1' },
        color: {
          field: 'v',
          type: 'quantitative',
          scale: { domain: [0, 1], range: ['#ffffff', '#000000'] },
          legend: null,
        },
      },
      transform: [
        { calculate: 'datum.c + 1', as: 'c1' },
        { calculate: 'datum.r + 1', as: 'r1' },
      ],
    },
    config: { view: { stroke: '#bbbbbb' }, header: { labelFontSize: 10 } },
  };
}

// The dashboard's charts, drawn by Observable Plot as SVG (docs/app.md, "The supervisor's
// dashboard"). Plot, and the parts of d3 it uses, arrive by a dynamic import the first time a
// chart is drawn, so no other screen loads them. Each chart is one image (`role="img"`) with a
// one-line label; its numbers stand in a table beside it, which is also how the keyboard opens
// a figure's cases. A bar opens them for the pointer.

export type Plot = typeof import('./plot');

let loading: Promise<Plot> | null = null;

/** Observable Plot, loaded once (a failed load is tried again the next time). */
export function loadPlot(): Promise<Plot> {
  if (!loading) {
    loading = import('./plot');
    loading.catch(() => (loading = null));
  }
  return loading;
}

/** One bar: its name on the axis and its count. */
export interface ChartBar {
  name: string;
  count: number;
}

export interface BarChartSpec {
  bars: ChartBar[];
  /** The image's one-line label ("Open cases by stage, bar chart"). */
  label: string;
  /** What it shows in words, read after the label. */
  description: string;
  /** What is counted, for the axis ("cases", "meetings"). */
  unit: string;
}

/** Whole numbers from 0 to `max`, about five of them: the axis of a count. */
export function countTicks(max: number): number[] {
  const step = Math.max(1, Math.ceil(max / 5));
  const ticks: number[] = [];
  for (let t = 0; t <= max; t += step) ticks.push(t);
  return ticks;
}

const ROW = 30;
const FONT_PX = 14;

/**
 * A horizontal bar chart of `spec` `width` pixels wide. Each bar's `rect` (and its count's `text`)
 * carries its index in `spec.bars` as d3's `__data__`, which `barAt` reads back.
 */
export function barChart(Plot: Plot, spec: BarChartSpec, width: number): SVGSVGElement {
  const max = Math.max(1, ...spec.bars.map((b) => b.count));
  const longest = Math.max(4, ...spec.bars.map((b) => b.name.length));
  // Room for the longest name at about 0.55 em a character, but never most of the chart.
  const marginLeft = Math.min(Math.round(width * 0.45), Math.round(longest * FONT_PX * 0.56) + 16);
  const chart = Plot.plot({
    width,
    height: spec.bars.length * ROW + 56,
    marginLeft,
    marginRight: 40,
    marginTop: 8,
    marginBottom: 44,
    style: { fontSize: `${FONT_PX}px`, fontFamily: 'inherit', background: 'transparent', overflow: 'visible' },
    x: {
      domain: [0, max],
      ticks: countTicks(max),
      tickFormat: 'd',
      grid: true,
      label: `Number of ${spec.unit}`,
      labelAnchor: 'center',
      labelArrow: 'none',
      labelOffset: 38,
    },
    y: { domain: spec.bars.map((b) => b.name), label: null, tickSize: 0, padding: 0.3 },
    marks: [
      Plot.barX(spec.bars, {
        x: 'count',
        y: 'name',
        title: (b: ChartBar) => `${b.name}: ${b.count}`,
      }),
      Plot.text(spec.bars, {
        x: 'count',
        y: 'name',
        text: (b: ChartBar) => String(b.count),
        textAnchor: 'start',
        dx: 6,
      }),
      Plot.ruleX([0]),
    ],
    ariaLabel: spec.label,
    ariaDescription: spec.description,
  });
  const svg = (chart instanceof SVGSVGElement ? chart : chart.querySelector('svg')) as SVGSVGElement;
  svg.setAttribute('role', 'img');
  // Plot names each mark's group with aria-label ("bar", "x-axis tick"); inside an image those
  // say nothing, and a label on a plain group is not allowed, so the name moves to data-mark.
  for (const named of svg.querySelectorAll('[aria-label]')) {
    named.setAttribute('data-mark', named.getAttribute('aria-label') ?? '');
    named.removeAttribute('aria-label');
  }
  return svg;
}

/** The bars and their counts, as drawn by `barChart`. */
export const MARKS = 'g[data-mark="bar"] > rect, g[data-mark="text"] > text';

/** The index of the bar (or its count) under a pointer event's target, if any. */
export function barAt(target: EventTarget | null): number | null {
  if (!(target instanceof Element)) return null;
  const mark = target.closest(MARKS);
  const index = (mark as (Element & { __data__?: unknown }) | null)?.__data__;
  return typeof index === 'number' ? index : null;
}

/** Vega-Lite spec → SVG, headless (no canvas, no DOM, no network). */
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec, Config } from 'vega-lite';

const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

/** One look for every chart: readable labels at the size a paper figure is viewed. */
export const theme: Config = {
  font: FONT,
  background: 'white',
  padding: 12,
  title: { fontSize: 15, fontWeight: 'bold', anchor: 'start', subtitleFontSize: 12, subtitleColor: '#555', offset: 10 },
  axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal', gridColor: '#e6e6e6', domainColor: '#888', tickColor: '#888', labelOverlap: 'greedy' },
  legend: { labelFontSize: 12, titleFontSize: 12, titleFontWeight: 'normal', symbolStrokeWidth: 2.5, labelLimit: 260 },
  view: { stroke: '#ccc' },
  range: { category: { scheme: 'tableau10' } },
};

export const CHART_WIDTH = 560;
export const CHART_HEIGHT = 320;

/** Renders a spec to an SVG document. The spec carries its data inline, so nothing is loaded. */
export const renderSvg = async (spec: TopLevelSpec): Promise<string> => {
  const compiled = vl.compile(spec, { config: theme }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
};

/** The fields every chart spec starts with: the Vega-Lite schema, the title (and subtitle), the size. */
export const chartFrame = (title: string, subtitle?: string, width: number = CHART_WIDTH, height: number = CHART_HEIGHT) => ({
  $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
  title: subtitle !== undefined ? { text: title, subtitle } : title,
  width,
  height,
});

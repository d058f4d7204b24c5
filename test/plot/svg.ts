/** Reading back the structure of the SVG that Vega writes, for assertions. */

/** Tags balance, the root is <svg>, and no stray `<` sits in text. Returns a problem or undefined. */
export const xmlProblem = (xml: string): string | undefined => {
  const body = xml.replace(/<!--[\s\S]*?-->/g, '').trim();
  if (!body.startsWith('<svg')) return 'root is not <svg>';
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"]*")*)\s*(\/?)>/g;
  let last = 0;
  let roots = 0;
  for (let m = tag.exec(body); m !== null; m = tag.exec(body)) {
    const between = body.slice(last, m.index);
    if (between.includes('<') || between.includes('>')) return `unparsed markup near ${JSON.stringify(between.slice(0, 60))}`;
    last = tag.lastIndex;
    const [, close, name, , selfClose] = m;
    if (name === undefined) return 'tag without name';
    if (close === '/') {
      const open = stack.pop();
      if (open !== name) return `</${name}> closes <${open ?? 'nothing'}>`;
    } else if (selfClose !== '/') {
      if (stack.length === 0) roots++;
      stack.push(name);
    } else if (stack.length === 0) roots++;
  }
  if (body.slice(last).trim() !== '') return 'text after the root element';
  if (stack.length > 0) return `unclosed <${stack.join('> <')}>`;
  if (roots !== 1) return `${roots} root elements`;
  return undefined;
};

/** How many items Vega drew with this ARIA description: "line mark", "point", "bar", "rule mark", "text mark". */
export const countItems = (svg: string, description: string): number =>
  svg.split(`aria-roledescription="${description}"`).length - 1;

/** The text of each <text> in the first group of this class after `from`. */
const groupTexts = (svg: string, cls: string, from: number): { texts: { text: string; x: number; y: number }[]; end: number } | undefined => {
  const start = svg.indexOf(`<g class="${cls}"`, from);
  if (start < 0) return undefined;
  const end = svg.indexOf('</g>', start);
  const texts = [...svg.slice(start, end).matchAll(/<text[^>]*transform="translate\(([-\d.e]+),([-\d.e]+)\)"[^>]*>([^<]*)<\/text>/g)].map((m) => ({
    x: Number(m[1]),
    y: Number(m[2]),
    text: m[3] ?? '',
  }));
  return { texts, end };
};

export interface Axis {
  /** Tick positions (pixels along the axis) with their labels, in drawing order. */
  readonly ticks: { readonly pos: number; readonly label: string }[];
}

/**
 * The x and y axes: each axis group holds a tick group (lines `translate(p,0)` with y2 for x,
 * `translate(0,p)` with x2 for y) followed by its label group.
 */
export const axes = (svg: string): { x?: Axis; y?: Axis } => {
  const out: { x?: Axis; y?: Axis } = {};
  let from = 0;
  for (;;) {
    const start = svg.indexOf('<g class="mark-rule role-axis-tick"', from);
    if (start < 0) return out;
    const end = svg.indexOf('</g>', start);
    const lines = [...svg.slice(start, end).matchAll(/<line transform="translate\(([-\d.e]+),([-\d.e]+)\)" x2="([-\d.e]+)" y2="([-\d.e]+)"/g)];
    const labels = groupTexts(svg, 'mark-text role-axis-label', end);
    from = labels?.end ?? end;
    const isY = lines.every((l) => Number(l[4]) === 0);
    const ticks = lines.map((l, i) => ({ pos: Number(isY ? l[2] : l[1]), label: labels?.texts[i]?.text ?? '' }));
    if (isY) out.y = { ticks };
    else out.x = { ticks };
  }
};

/** Every legend entry's label (Vega puts each entry in a group of its own). */
export const legendLabels = (svg: string): string[] => {
  const out: string[] = [];
  for (let g = groupTexts(svg, 'mark-text role-legend-label', 0); g !== undefined; g = groupTexts(svg, 'mark-text role-legend-label', g.end))
    out.push(...g.texts.map((t) => t.text));
  return out;
};

export const titleText = (svg: string): string => {
  const g = groupTexts(svg, 'mark-text role-title-text', 0);
  return g?.texts.map((t) => t.text).join(' ') ?? '';
};

/** y of each horizontal rule mark (reference lines) in plot coordinates. */
export const ruleYs = (svg: string): number[] =>
  [...svg.matchAll(/aria-roledescription="rule mark" transform="translate\(([-\d.e]+),([-\d.e]+)\)" x2="[-\d.e]+" y2="0"/g)].map((m) => Number(m[2]));

/** Parses "1,000" and "1e-5" style labels. */
export const labelNumber = (s: string): number => Number(s.replace(/,/g, '').replace('−', '-'));

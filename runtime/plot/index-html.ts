/** One HTML page with every chart inline, so a person opens a single file. */

export interface Figure {
  readonly file: string;
  readonly title: string;
  readonly svg: string;
}

export const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export const indexHtml = (heading: string, figures: readonly Figure[], notes: readonly string[]): string =>
  [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(heading)}</title>`,
    '<style>body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;margin:24px;color:#222}',
    'section{margin:0 0 32px}h2{font-size:15px;font-weight:normal;color:#555;margin:0 0 6px}',
    'svg{max-width:100%;height:auto}ul.notes{color:#8a4b00}</style></head><body>',
    `<h1>${escapeHtml(heading)}</h1>`,
    ...(notes.length > 0 ? ['<ul class="notes">', ...notes.map((n) => `<li>${escapeHtml(n)}</li>`), '</ul>'] : []),
    ...figures.map((f) => `<section id="${escapeHtml(f.file)}"><h2>${escapeHtml(f.file)}</h2>\n${f.svg}\n</section>`),
    '</body></html>',
    '',
  ].join('\n');

/** Fenced ```xreg blocks of a markdown document (the docs' checked examples). */
export interface Block {
  readonly info: string;
  readonly text: string;
  readonly line: number;
}

/** Fenced blocks whose info string starts with `xreg`, with the line their code starts on. */
export const xregBlocks = (markdown: string): Block[] => {
  const lines = markdown.split('\n');
  const out: Block[] = [];
  let open: { info: string; line: number; body: string[] } | undefined;
  lines.forEach((l, i) => {
    const fence = /^```\s*(.*)$/.exec(l);
    if (open === undefined) {
      if (fence !== null && (fence[1] ?? '').trim().split(/\s+/)[0] === 'xreg') open = { info: (fence[1] ?? '').trim(), line: i + 2, body: [] };
    } else if (fence !== null && (fence[1] ?? '').trim() === '') {
      out.push({ info: open.info, text: open.body.join('\n'), line: open.line });
      open = undefined;
    } else open.body.push(l);
  });
  return out;
};


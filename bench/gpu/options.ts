// Command-line options of the bench/gpu scripts: `--name value` and bare `--flag`.
const argv = process.argv.slice(2);

const valueOf = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};

export const stringOption = (name: string): string | undefined => valueOf(name);

export const numberOption = (name: string, fallback: number): number => {
  const v = valueOf(name);
  const n = v === undefined ? Number.NaN : Number(v);
  return Number.isFinite(n) ? n : fallback;
};

export const flag = (name: string): boolean => argv.includes(`--${name}`);

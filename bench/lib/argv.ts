// Command-line options of the small benches: `--name N`.

/** The number after `name` on the command line, or `fallback` when `name` is absent. */
export function numberOption(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

/** The word after `name` on the command line, or `fallback` when `name` is absent. */
export function stringOption(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at >= 0 ? (process.argv[at + 1] ?? '') : fallback;
}

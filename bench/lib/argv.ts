// Command-line options of the small benches: `--name N`.

/** The number after `name` on the command line, or `fallback` when `name` is absent. */
export function numberOption(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

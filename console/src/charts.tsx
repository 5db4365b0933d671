// A chart on a canvas, drawn by Chart.js (chart-setup.ts, its own chunk, fetched the first time
// a chart is shown), updated in place without animation when its data changes.
import type { Chart, ChartConfiguration } from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';

/** A distinct colour per series or slice, the same on every render. */
export const PALETTE = ['#4ea1ff', '#66bb6a', '#ffa726', '#ab47bc', '#ef5350', '#26c6da', '#8d6e63', '#d4e157'];

let library: Promise<typeof import('./chart-setup')> | null = null;

export function ChartView({ config, label }: { config: ChartConfiguration; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart | null>(null);
  const latest = useRef(config);
  latest.current = config;
  useEffect(() => {
    let gone = false;
    (library ??= import('./chart-setup')).then(({ Chart }) => {
      if (gone) return;
      const c = latest.current;
      chart.current = new Chart(canvas.current!, { ...c, options: { animation: false, maintainAspectRatio: false, ...c.options } });
    });
    return () => {
      gone = true;
      chart.current?.destroy();
      chart.current = null;
    };
  }, [config.type]);
  useEffect(() => {
    if (!chart.current) return;
    chart.current.data = config.data;
    chart.current.update('none');
  }, [config]);
  return (
    <div class="chart">
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}

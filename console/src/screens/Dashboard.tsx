// The KPI dashboard for supervisors (their groups) and admins (all): the contact centre's
// figures live or over an interval (today, yesterday, 7 days, custom), incoming calls per group
// (donut), mean talk time in and out per group (bars), the groups table with a drill-down to a
// group's agents, and CSV/XLSX export of each table. Figures: engine/reports/README.md.
import type { ChartConfiguration } from 'chart.js';
import { useMemo, useState } from 'preact/hooks';
import { agentsTable, groupsTable, type KpiReport } from '../../../engine/reports/kpi.js';
import type { Session } from '../api';
import { ChartView, PALETTE } from '../charts';
import { duration, ratioText } from '../format';
import { useNow, useResource, type LiveStream } from '../live';
import { ReportTable } from '../report-table';
import type { StreamEvent } from '../types';

type Period = 'live' | 'today' | 'yesterday' | 'week' | 'custom';
const PERIODS: { key: Period; label: string }[] = [
  { key: 'live', label: 'Live' },
  { key: 'today', label: 'Today' },
  { key: 'yesterday', label: 'Yesterday' },
  { key: 'week', label: '7 days' },
  { key: 'custom', label: 'Custom' },
];

/** What the engine is asked for; `moving`: the interval reaches now, so events change it. */
interface Interval {
  period: Period;
  query: string;
  moving: boolean;
}

function midnight(daysBack: number): number {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() - daysBack);
  return d.getTime();
}

/** The interval of a period, in local time (custom: the two datetime-local fields). */
function intervalOf(period: Period, custom: { from: string; to: string }): Interval | string {
  switch (period) {
    case 'live':
      return { period, query: '', moving: true };
    case 'today':
      return { period, query: `from=${midnight(0)}`, moving: true };
    case 'yesterday':
      return { period, query: `from=${midnight(1)}&to=${midnight(0) - 1}`, moving: false };
    case 'week':
      return { period, query: `from=${midnight(6)}`, moving: true };
    case 'custom': {
      const [from, to] = [Date.parse(custom.from), Date.parse(custom.to)];
      if (!Number.isFinite(from) || !Number.isFinite(to)) return 'Choose both the start and the end.';
      if (from > to) return 'The start must come before the end.';
      return { period, query: `from=${from}&to=${to}`, moving: to > Date.now() };
    }
  }
}

const touchesFigures = (e: StreamEvent) => e.type.startsWith('call.') || e.type.startsWith('agent.') || e.type.startsWith('missed.');
const never = () => false;
const seconds = (ms: number | null) => (ms === null ? 0 : Math.round(ms / 100) / 10);
const slug = (s: string) => s.replace(/[^A-Za-z0-9_-]+/g, '_');

function charts(r: KpiReport): { donut: ChartConfiguration; bars: ChartConfiguration } {
  const labels = r.groups.map((g) => g.group);
  return {
    donut: {
      type: 'doughnut',
      data: { labels, datasets: [{ label: 'Incoming calls', data: r.groups.map((g) => g.offered), backgroundColor: PALETTE }] },
      options: { plugins: { legend: { position: 'bottom' } } },
    },
    bars: {
      type: 'bar',
      data: {
        labels,
        datasets: [
          { label: 'Avg inbound talk, s', data: r.groups.map((g) => seconds(g.avgInboundTalkMs)), backgroundColor: PALETTE[0] },
          { label: 'Avg outbound talk, s', data: r.groups.map((g) => seconds(g.avgOutboundTalkMs)), backgroundColor: PALETTE[2] },
        ],
      },
      options: { plugins: { legend: { position: 'bottom' } }, scales: { y: { beginAtZero: true } } },
    },
  };
}

export function Dashboard({ session, stream }: { session: Session; stream: LiveStream }) {
  const [picked, choose] = useState<Interval>({ period: 'live', query: '', moving: true });
  const [custom, setCustom] = useState({ from: '', to: '' });
  const [problem, setProblem] = useState('');
  const [drill, setDrill] = useState<string | null>(null);
  const path = `/api/reports/kpi${picked.query ? `?${picked.query}` : ''}`;
  // Moving intervals are re-read after events (at most once a second), fixed ones only on a reconnect.
  const [report] = useResource<KpiReport>(stream, session.token, path, picked.moving ? touchesFigures : never, { debounceMs: 1000, pollMs: picked.moving ? 15_000 : 600_000 });
  const now = useNow();
  const chartConfigs = useMemo(() => report && charts(report), [report]);

  const pick = (period: Period) => {
    const next = intervalOf(period, custom);
    if (typeof next === 'string') return setProblem(next);
    setProblem('');
    choose(next);
  };

  const picker = (
    <div class="periods">
      {PERIODS.map((p) => (
        <button class={p.key === picked.period ? 'current' : ''} data-period={p.key} onClick={() => pick(p.key)}>
          {p.label}
        </button>
      ))}
      <label>
        from <input type="datetime-local" name="from" value={custom.from} onInput={(e) => setCustom({ ...custom, from: e.currentTarget.value })} />
      </label>
      <label>
        to <input type="datetime-local" name="to" value={custom.to} onInput={(e) => setCustom({ ...custom, to: e.currentTarget.value })} />
      </label>
      {problem && <span class="error">{problem}</span>}
    </div>
  );
  if (!report || !chartConfigs) return <div class="dashboard">{picker}<p>Loading…</p></div>;

  const t = report.totals;
  // Between reads the longest wait keeps growing (only where the interval reaches now).
  const longest = picked.moving && t.waitingNow > 0 ? t.longestWaitMs + Math.max(0, now - report.to) : t.longestWaitMs;
  const tiles: { label: string; value: string; note?: string; title?: string }[] = [
    { label: 'Incoming calls', value: String(t.offered) },
    { label: 'Answered', value: String(t.answered) },
    { label: 'Processed', value: String(t.processed), note: `${t.handled} in, ${t.callbacks} callbacks, ${t.coldConnected} cold` },
    { label: 'Lost clients', value: String(t.lostClients), note: t.lostAverage === null ? 'no earlier days' : `average ${t.lostAverage.toFixed(1)}` },
    { label: 'Cold outbound calls', value: String(t.coldOutbound), note: `${t.coldConnected} answered` },
    { label: 'Service level', value: ratioText(t.serviceLevel, 'percent') },
    { label: 'ASA', value: ratioText(t.asaMs, 'duration') },
    { label: 'AHT', value: ratioText(t.ahtMs, 'duration') },
    { label: 'Abandonment', value: ratioText(t.abandonmentRate, 'percent') },
    { label: 'Waiting now', value: String(t.waitingNow) },
    { label: 'Longest wait', value: duration(longest) },
  ];
  const stem = `kpi-${picked.period}`;
  const drilled = drill !== null && report.groups.some((g) => g.group === drill) ? drill : null;

  return (
    <div class="dashboard">
      {picker}
      <p class="muted interval" data-live={String(report.live)}>
        {report.live ? 'Live since ' : ''}
        {new Date(report.from).toLocaleString()} – {new Date(report.to).toLocaleString()}
      </p>
      <div class="tiles">
        {tiles.map((k) => (
          <div class="tile" data-kpi={k.label} title={k.title}>
            <div class="value">{k.value}</div>
            <div class="label">{k.label}</div>
            {k.note && <small class="note">{k.note}</small>}
          </div>
        ))}
      </div>
      <div class="charts">
        <section class="card">
          <h2>Incoming calls by group</h2>
          <ChartView config={chartConfigs.donut} label="incoming calls by group" />
        </section>
        <section class="card">
          <h2>Average talk time by group</h2>
          <ChartView config={chartConfigs.bars} label="average inbound and outbound talk time by group" />
        </section>
      </div>
      <ReportTable table={groupsTable(report)} title="Groups" stem={`${stem}-groups`} onPick={(row) => setDrill(report.groups[row].group)} />
      {drilled ? (
        <>
          <button class="back" onClick={() => setDrill(null)}>
            ← All groups
          </button>
          <ReportTable table={agentsTable(report, drilled)} title={`Agents of ${drilled}`} stem={`${stem}-agents-${slug(drilled)}`} />
        </>
      ) : (
        <p class="muted">Pick a group to see its agents.</p>
      )}
    </div>
  );
}

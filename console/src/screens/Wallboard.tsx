// The wallboard for a TV: agents ranked by calls, talk time or callbacks, the team's progress
// toward the day's plan, and the live KPIs of the supervisor's queues.
import { useState } from 'preact/hooks';
import type { Session } from '../api';
import { duration, ratioText, STATE_LABEL } from '../format';
import { useNow, useResource, type LiveStream } from '../live';
import type { AgentView, CallbackStats, Metrics, StreamEvent } from '../types';
import { daysAgo, touchesGrants, type Grant, type Standing } from '../engagement';
import { Badges } from './Achievements';

type RankBy = 'calls' | 'talk' | 'callbacks';
const RANKINGS: { key: RankBy; label: string }[] = [
  { key: 'calls', label: 'Calls' },
  { key: 'talk', label: 'Talk time' },
  { key: 'callbacks', label: 'Callbacks' },
];

const any = () => true;
const touchesAgents = (e: StreamEvent) => e.type.startsWith('agent.');
const touchesMissed = (e: StreamEvent) => e.type === 'missed.attempt';

export function Wallboard({ session, stream }: { session: Session; stream: LiveStream }) {
  // Metrics are folded on the engine: re-read after events, at most once a second.
  const [metrics] = useResource<Metrics>(stream, session.token, '/api/metrics', any, { debounceMs: 1000, pollMs: 10_000 });
  const [agents] = useResource<AgentView[]>(stream, session.token, '/api/agents', touchesAgents);
  const [callbacks] = useResource<CallbackStats[]>(stream, session.token, '/api/callbacks/stats', touchesMissed);
  const [plan] = useResource<{ calls: number }>(stream, session.token, '/api/plan', () => false, { pollMs: 300_000 });
  // Badges of the last 7 days, and who is on course today (the engine re-judges it at most once a minute).
  const [grants] = useResource<Grant[]>(stream, session.token, `/api/achievements/grants?from=${daysAgo(7)}`, touchesGrants, { pollMs: 300_000 });
  const [standing] = useResource<Standing[]>(stream, session.token, '/api/achievements/standing', () => false, { pollMs: 60_000 });
  const [rankBy, setRankBy] = useState<RankBy>('calls');
  const now = useNow();
  if (!metrics || !agents) return <p>Loading…</p>;

  const q = metrics.queues;
  const sum = (f: (x: (typeof q)[number]) => number) => q.reduce((s, x) => s + f(x), 0);
  const offered = sum((x) => x.offered);
  const answered = sum((x) => x.answered);
  const handled = sum((x) => x.handled);
  const waitingNow = sum((x) => x.waitingNow);
  // The longest wait keeps growing between reads of the metrics.
  const longest = Math.max(0, ...q.map((x) => (x.waitingNow ? x.longestWaitMs + (now - metrics.to) : 0)));
  const kpis: [string, string][] = [
    ['Waiting now', String(waitingNow)],
    ['Longest wait', duration(longest)],
    ['Service level', ratioText(offered ? sum((x) => x.answeredInSl) / offered : null, 'percent')],
    ['ASA', ratioText(answered ? sum((x) => x.waitMs) / answered : null, 'duration')],
    ['AHT', ratioText(handled ? sum((x) => x.talkMs + x.wrapMs) / handled : null, 'duration')],
    ['Abandoned', ratioText(offered ? sum((x) => x.abandoned) / offered : null, 'percent')],
  ];

  const byAgent = new Map(metrics.agents.map((a) => [a.agentId, a]));
  const cbByAgent = new Map((callbacks ?? []).map((c) => [c.agentId, c]));
  const rows = agents.map((a) => ({
    agent: a,
    calls: byAgent.get(a.id)?.answered ?? 0,
    // Talk with clients: inbound calls and the agent's own outbound (click-to-call) calls.
    talk: (byAgent.get(a.id)?.talkMs ?? 0) + (byAgent.get(a.id)?.outboundTalkMs ?? 0),
    callbacks: cbByAgent.get(a.id)?.connected ?? 0,
  }));
  rows.sort((a, b) => b[rankBy] - a[rankBy] || a.agent.name.localeCompare(b.agent.name));
  const target = plan?.calls ?? 0;
  const progress = target > 0 ? Math.min(1, answered / target) : 0;

  return (
    <div class="wallboard">
      <div class="kpis">
        {kpis.map(([label, value]) => (
          <div class="kpi" data-kpi={label}>
            <div class="value">{value}</div>
            <div class="label">{label}</div>
          </div>
        ))}
      </div>
      <div class="plan">
        <div class="plan-text">
          Team plan: <b data-testid="plan-done">{answered}</b> of {target || '—'} calls today
        </div>
        <div class="progress">
          <div class="fill" style={{ width: `${Math.round(progress * 100)}%` }} />
        </div>
      </div>
      <div class="rank-by">
        {RANKINGS.map((r) => (
          <button class={r.key === rankBy ? 'current' : ''} onClick={() => setRankBy(r.key)}>
            {r.label}
          </button>
        ))}
      </div>
      <ol class="leaderboard" data-testid="leaderboard">
        {rows.map((r, i) => (
          <li data-agent={r.agent.id}>
            <span class="place">{i + 1}</span>
            <span class="name">{r.agent.name}</span>
            <span class={`state ${r.agent.state}`}>{STATE_LABEL[r.agent.state]}</span>
            <span class="figure">{r.calls} calls</span>
            <span class="figure">{duration(r.talk)} talk</span>
            <span class="figure">{r.callbacks} callbacks</span>
            <Badges grants={(grants ?? []).filter((g) => g.agentId === r.agent.id)} standing={(standing ?? []).filter((x) => x.agentId === r.agent.id)} />
          </li>
        ))}
      </ol>
    </div>
  );
}

// Achievements and quests: the agent's own card (badges earned, on course today, quests with
// their steps) and the badge strip the wallboard shows beside each agent.
import type { Session } from '../api';
import { badgeIcon, daysAgo, tally, touchesGrants, touchesQuests, type Grant, type QuestDef, type QuestProgress, type Standing } from '../engagement';
import { useResource, type LiveStream } from '../live';
import type { StreamEvent } from '../types';

const isCallEnd = (e: StreamEvent) => e.type === 'call.ended' || e.type === 'call.topic';

export function Badges({ grants, standing }: { grants: Grant[]; standing: Standing[] }) {
  return (
    <span class="badges">
      {tally(grants).map((b) => (
        <span class="badge" title={b.name} data-badge={b.achievementId}>
          {badgeIcon(b.achievementId)} {b.name}
          {b.count > 1 && <small> ×{b.count}</small>}
        </span>
      ))}
      {standing.map((s) => (
        <span class="badge on-course" title={`${s.name}: on course`} data-on-course={s.achievementId}>
          {badgeIcon(s.achievementId)}
        </span>
      ))}
    </span>
  );
}

export function MyAchievements({ session, stream }: { session: Session; stream: LiveStream }) {
  const from = daysAgo(30);
  const [grants] = useResource<Grant[]>(stream, session.token, `/api/achievements/grants?from=${from}`, touchesGrants);
  const [standing] = useResource<Standing[]>(stream, session.token, '/api/achievements/standing', isCallEnd, { debounceMs: 2000, pollMs: 60_000 });
  const [quests] = useResource<QuestDef[]>(stream, session.token, '/api/quests', () => false, { pollMs: 300_000 });
  const [progress] = useResource<QuestProgress[]>(stream, session.token, '/api/quests/progress', touchesQuests);
  const byQuest = new Map((progress ?? []).map((p) => [p.questId, p]));
  return (
    <section class="card" data-testid="my-achievements">
      <h2>Achievements</h2>
      {grants && grants.length === 0 && <p class="muted">None in the last 30 days yet.</p>}
      <Badges grants={grants ?? []} standing={standing ?? []} />
      {(quests ?? []).length > 0 && <h2>Quests</h2>}
      {(quests ?? []).map((q) => {
        const p = byQuest.get(q.id);
        const done = p?.steps.length ?? 0;
        return (
          <div class="quest" data-quest={q.id}>
            <b>{q.name}</b> <small>reward: {q.reward}</small> {p?.completedAt ? <span class="badge">done</span> : <small>{done} of {q.steps.length}</small>}
            <ol>
              {q.steps.map((s, i) => (
                <li class={i < done ? 'done' : ''}>{s.label}</li>
              ))}
            </ol>
          </div>
        );
      })}
    </section>
  );
}

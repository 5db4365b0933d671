// The caller card: who is calling, what the IVR and call tracking know, and the client's past
// requests (outcome, agent, topic, comments, script path) and missed calls.
import { duration, time } from '../../format';
import type { CallCard, PastCall } from '../../types';

const OUTCOME: Record<PastCall['outcome'], string> = {
  waiting: 'waiting',
  answered: 'answered',
  abandoned: 'hung up waiting',
  timeout: 'waited too long',
  full: 'queue full',
  callback: 'asked for a callback',
  cancelled: 'cancelled',
  overflow: 'overflowed',
  transferred: 'transferred',
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const day = (ms: number) => new Date(ms).toLocaleDateString([], { day: 'numeric', month: 'short' });

export function CallerCard({ card, label, now, arrivedAt }: { card: CallCard; label: string; now: number; arrivedAt: number }) {
  const ctx = card.context;
  const extra = ctx ? { ...ctx.ivr, ...ctx.attached } : {};
  return (
    <div class="caller" data-testid="caller-card">
      <div class="number">{card.number}</div>
      <div class="muted">
        {card.kind === 'callback' ? 'callback' : ctx?.dnis ? `to ${ctx.dnis}` : 'call'} · {card.queueId} · {label} · {duration(now - arrivedAt)}
      </div>
      {Object.keys(extra).length > 0 && (
        <dl data-testid="caller-context">
          {Object.entries(extra).map(([k, v]) => (
            <>
              <dt>{k}</dt>
              <dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
            </>
          ))}
        </dl>
      )}
      <details class="history" open={card.history.length > 0 || card.missed.length > 0}>
        <summary>
          History: {plural(card.history.length, 'request')}, {card.missed.length} missed
        </summary>
        <ul data-testid="caller-history">
          {card.history.map((c) => (
            <li data-call={c.callId}>
              <b>
                {day(c.at)} {time(c.at)}
              </b>{' '}
              {c.queueId} · {OUTCOME[c.outcome]}
              {c.agentIds.length > 0 && ` · ${c.agentIds.join(' → ')}`}
              {c.talkMs > 0 && ` · ${duration(c.talkMs)}`}
              {c.topic && <span class="topic">{c.topic.topic}</span>}
              {c.comments.map((m) => (
                <div class="comment">
                  “{m.text}” <small>— {m.by}</small>
                </div>
              ))}
              {c.script && <div class="muted">script: {c.script.path.join(' → ')}</div>}
            </li>
          ))}
        </ul>
        {card.missed.length > 0 && (
          <ul data-testid="caller-missed">
            {card.missed.map((m) => (
              <li>
                missed {day(m.missedAt)} {time(m.missedAt)} · <span class={`missed ${m.status}`}>{m.status}</span>
                {m.claimedBy && <span class="claimed"> · {m.claimedBy} is calling back</span>}
              </li>
            ))}
          </ul>
        )}
      </details>
    </div>
  );
}

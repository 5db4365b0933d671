// One of the agent's own calls: the caller card, and once connected (or just ended, for
// wrap-up) the topic, comments and call script, with transfer and hang-up while it is live.
import type { Session } from '../../api';
import { useResource, type LiveStream } from '../../live';
import type { CallCard, CallNotes, TransferTargets } from '../../types';
import { CallActions } from './CallActions';
import { CallerCard } from './CallerCard';
import { CallNotesForm } from './CallNotesForm';
import { ScriptRunner } from './ScriptRunner';

/** A REST call whose failure the window shows; resolves undefined on failure. */
export type Act = <T>(method: string, path: string, body?: unknown) => Promise<T | undefined>;

export type CallStage = 'ringing' | 'connected' | 'ended';

export function ActiveCall({ session, stream, callId, stage, arrivedAt, now, act }: { session: Session; stream: LiveStream; callId: string; stage: CallStage; arrivedAt: number; now: number; act: Act }) {
  const path = `/api/calls/${encodeURIComponent(callId)}`;
  const [card, patch] = useResource<CallCard>(stream, session.token, `${path}/card`, (e) => e.callId === callId);
  if (!card) return <p class="muted">Loading the caller card…</p>;
  const note = (what: 'topic' | 'comment' | 'script', method: string, body: object) =>
    act<CallNotes>(method, `${path}/${what}`, body).then((notes) => {
      if (notes) patch((c) => ({ ...c, notes }));
      return notes;
    });
  const label = stage === 'ringing' ? 'ringing: answer on your phone' : stage === 'connected' ? 'connected' : 'ended: wrap-up';
  return (
    <div class={`active-call ${stage}`} data-call={callId}>
      <CallerCard card={card} label={label} now={now} arrivedAt={arrivedAt} />
      {stage !== 'ringing' && (
        <>
          <CallNotesForm card={card} save={(what, body) => note(what, 'POST', body)} />
          {card.script && <ScriptRunner script={card.script} path={card.notes.script?.path ?? null} onPath={(p) => void note('script', 'PUT', { path: p })} />}
        </>
      )}
      {stage === 'connected' && (
        <CallActions
          me={session.principal.agentId!}
          loadTargets={() => act<TransferTargets>('GET', '/api/transfer-targets')}
          transfer={(body) => void act('POST', `${path}/transfer`, body)}
          hangup={() => void act('POST', `${path}/hangup`)}
        />
      )}
    </div>
  );
}

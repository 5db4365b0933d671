// One-click listen / whisper / barge / take over on an agent's live call. The engine rings the
// supervisor's phone (their token's extension, or the one typed in) and joins it to the call's
// mixer; once joined the mode switches live (a hear-set change, no new call).
import { useMemo, useRef, useState } from 'preact/hooks';
import { request, type Session } from '../../api';
import { useResource, type LiveStream } from '../../live';
import type { AgentView, SupervisionView, SupervisorMode } from '../../types';

export const MODE_LABEL: Record<SupervisorMode, string> = { listen: 'Listen', whisper: 'Whisper', barge: 'Barge' };
const MODES = Object.keys(MODE_LABEL) as SupervisorMode[];
const PHONE_KEY = 'switchyard.phone';

export interface MonitorActions {
  /** Joins (or, when already on the call, switches to) `mode`. */
  choose(callId: string, mode: SupervisorMode, joined: boolean): void;
  /** Takes the call over, joining first (in barge) if not on it yet. */
  takeOver(callId: string, joined: boolean): void;
}

export interface Monitor {
  /** Supervised calls by call id. */
  byCall: Map<string, SupervisionView>;
  /** The call an action is under way on (the phone may be ringing). */
  pending: string | null;
  error: string;
  phone: string;
  setPhone(phone: string): void;
  actions: MonitorActions;
}

const touchesSupervision = (e: { type: string }) => e.type === 'call.ended' || e.type === 'call.transferred' || e.type === 'call.answered';

export function useMonitor(session: Session, stream: LiveStream): Monitor {
  // A supervisor switching mode from their phone's keypad is caught by the short poll.
  const [list, patch] = useResource<SupervisionView[]>(stream, session.token, '/api/supervision', touchesSupervision, { pollMs: 3000 });
  const [pending, setPending] = useState<string | null>(null);
  const [error, setError] = useState('');
  const [phone, setPhoneState] = useState(localStorage.getItem(PHONE_KEY) ?? session.principal.extension ?? '');
  const phoneRef = useRef(phone);
  phoneRef.current = phone;
  const setPhone = (p: string) => {
    localStorage.setItem(PHONE_KEY, p);
    setPhoneState(p);
  };

  // Stable across renders, so the memoised agent rows do not re-render for them.
  const actions = useMemo<MonitorActions>(() => {
    const path = (callId: string, tail: string) => `/api/calls/${encodeURIComponent(callId)}/${tail}`;
    const post = (callId: string, tail: string, body?: unknown) => request<SupervisionView>(session.token, 'POST', path(callId, tail), body);
    const join = (callId: string, mode: SupervisorMode) => post(callId, 'supervise', { mode, ...(phoneRef.current ? { extension: phoneRef.current } : {}) });
    const apply = (view: SupervisionView) => patch((l) => [...l.filter((v) => v.callId !== view.callId), view].filter((v) => v.supervisor && !v.takenOverBy));
    const run = (callId: string, work: () => Promise<SupervisionView>) => {
      setError('');
      setPending(callId);
      work().then(apply, (e: Error) => setError(e.message)).finally(() => setPending(null));
    };
    return {
      choose: (callId, mode, joined) => run(callId, () => (joined ? post(callId, 'supervise/mode', { mode }) : join(callId, mode))),
      takeOver: (callId, joined) =>
        run(callId, async () => {
          if (!joined) await join(callId, 'barge');
          return post(callId, 'take-over');
        }),
    };
  }, [session.token]);

  // The same map while the list is unchanged (a poll answering the same), so rows need not re-render.
  const listKey = JSON.stringify(list ?? []);
  const byCall = useMemo(() => new Map((list ?? []).map((v) => [v.callId, v])), [listKey]);
  return { byCall, pending, error, phone, setPhone, actions };
}

/** The buttons of one agent row, shown while the agent talks on a call. */
export function MonitorButtons({ agent, supervision, pending, actions }: { agent: AgentView; supervision: SupervisionView | undefined; pending: boolean; actions: MonitorActions }) {
  const callId = agent.state === 'on-call' ? agent.callId : null;
  if (!callId) return null;
  const mode = supervision?.supervisor?.mode;
  const joined = !!mode;
  return (
    <>
      {MODES.map((m) => (
        <button class={mode === m ? 'current' : ''} aria-pressed={mode === m} disabled={pending} onClick={() => actions.choose(callId, m, joined)}>
          {MODE_LABEL[m]}
        </button>
      ))}
      <button disabled={pending} onClick={() => actions.takeOver(callId, joined)}>
        Take over
      </button>
      {pending && <small class="muted">{joined ? ' switching…' : ' ringing your phone…'}</small>}
      {mode && (
        <span class="mode" data-testid="monitor-mode">
          {MODE_LABEL[mode]} ({supervision!.supervisor!.extension})
        </span>
      )}
    </>
  );
}

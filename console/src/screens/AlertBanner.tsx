// Active alerts for supervisors and admins, on every screen, kept live by the stream's
// alert.fired / alert.cleared events.
import type { Session } from '../api';
import { touchesAlerts, type Alert } from '../engagement';
import { duration } from '../format';
import { useNow, useResource, type LiveStream } from '../live';

export function AlertBanner({ session, stream }: { session: Session; stream: LiveStream }) {
  const [alerts] = useResource<{ active: Alert[] }>(stream, session.token, '/api/alerts', touchesAlerts, { debounceMs: 100 });
  const now = useNow();
  if (!alerts || alerts.active.length === 0) return null;
  return (
    <div class="alerts" role="alert" data-testid="alerts">
      {alerts.active.map((a) => (
        <div class="alert" data-alert={a.id}>
          <b>{a.name}</b> — {a.queueId ? `queue ${a.queueId}` : `agent ${a.agentId}`}: {a.kpi} {a.op} {a.threshold} (now {a.value ?? '—'}) <small>for {duration(now - a.firedAt)}</small>
        </div>
      ))}
    </div>
  );
}

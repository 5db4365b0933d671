// The buttons on a connected call: blind transfer to a colleague, a queue or a number, and
// hang up.
import { useEffect, useState } from 'preact/hooks';
import type { TransferTargets } from '../../types';

type Kind = 'agentId' | 'queueId' | 'number';

export function CallActions({ me, loadTargets, transfer, hangup }: { me: string; loadTargets: () => Promise<TransferTargets | undefined>; transfer: (body: object) => void; hangup: () => void }) {
  const [open, setOpen] = useState(false);
  const [targets, setTargets] = useState<TransferTargets | null>(null);
  const [kind, setKind] = useState<Kind>('agentId');
  const [target, setTarget] = useState('');
  useEffect(() => {
    if (open) loadTargets().then((t) => t && setTargets(t));
  }, [open]);
  const choices =
    kind === 'agentId'
      ? (targets?.agents ?? []).filter((a) => a.id !== me).map((a) => ({ value: a.id, label: `${a.name}${a.free ? '' : ' (busy)'}` }))
      : (targets?.queues ?? []).map((q) => ({ value: q.id, label: q.name }));
  return (
    <div class="actions">
      <button onClick={() => setOpen(!open)}>Transfer…</button>
      <button class="hangup" onClick={hangup}>
        Hang up
      </button>
      {open && (
        <form
          class="transfer"
          onSubmit={(e) => {
            e.preventDefault();
            transfer({ [kind]: target });
          }}
        >
          <select aria-label="transfer to" value={kind} onChange={(e) => (setKind(e.currentTarget.value as Kind), setTarget(''))}>
            <option value="agentId">colleague</option>
            <option value="queueId">queue</option>
            <option value="number">number</option>
          </select>
          {kind === 'number' ? (
            <input aria-label="number" inputMode="tel" value={target} onInput={(e) => setTarget(e.currentTarget.value)} />
          ) : (
            <select aria-label="target" value={target} onChange={(e) => setTarget(e.currentTarget.value)}>
              <option value="" disabled>
                choose…
              </option>
              {choices.map((c) => (
                <option value={c.value}>{c.label}</option>
              ))}
            </select>
          )}
          <button type="submit" disabled={target === ''}>
            Transfer
          </button>
        </form>
      )}
    </div>
  );
}

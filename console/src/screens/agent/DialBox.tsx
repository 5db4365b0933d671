// The agent's "Call" box (click-to-call): the engine rings the agent's own phone, then dials the
// number through the outbound route and bridges them; the agent is in outbound dialling meanwhile.
import { useState } from 'preact/hooks';
import type { AgentView } from '../../types';
import type { Act } from './ActiveCall';

const CLICK_TO_CALL = 'click-to-call';

export function DialBox({ me, act }: { me: AgentView; act: Act }) {
  const [number, setNumber] = useState('');
  const [dialled, setDialled] = useState('');
  const calling = me.state === 'outbound' && me.reason === CLICK_TO_CALL && me.callId !== null;
  const call = async (e: Event) => {
    e.preventDefault();
    const placed = await act<{ callId: string; number: string }>('POST', '/api/calls/outbound', { number: number.trim() });
    if (placed) setDialled(placed.number);
  };
  return (
    <section class="card" data-testid="dial-box">
      <h2>Call</h2>
      {calling ? (
        <p>
          <span data-testid="dialling">Calling {dialled || 'a number'}: your phone rings first, then the client.</span>{' '}
          <button onClick={() => act('POST', `/api/calls/${encodeURIComponent(me.callId!)}/hangup`, {})}>Hang up</button>
        </p>
      ) : (
        <form class="dial" onSubmit={call}>
          <input type="tel" name="number" aria-label="number to call" placeholder="+49 711 1234" value={number} onInput={(e) => setNumber(e.currentTarget.value.replace(/[\s()-]/g, ''))} />
          <button type="submit" disabled={me.state === 'offline' || me.callId !== null || me.ringing || number.trim() === ''}>
            Call
          </button>
        </form>
      )}
    </section>
  );
}

// A scripted contact-centre morning on a hand-driven clock, whose figures are computed by
// hand in metrics.test.ts (and checked again after a rebuild from the event log).
import { Acd } from '../../../engine/acd/index.js';
import { Recorder, ScriptedPhones } from './phones.js';

export const S = 1000;

export async function scriptedMorning(acd: Acd, clock: { t: number }): Promise<void> {
  const rec = new Recorder(acd);
  const phones = new ScriptedPhones();
  const at = (seconds: number) => void (clock.t = seconds * S);
  at(0);
  acd.defineQueue({ id: 'q', groups: ['g'], serviceLevelMs: 20 * S, wrapUpMs: 600 * S });
  acd.defineAgent({ id: 'a1', extension: '2001', groups: ['g'] });
  acd.defineAgent({ id: 'a2', extension: '2002', groups: ['g'] });
  acd.setState('a1', 'break');
  acd.setState('a2', 'break');
  acd.attachDialer(phones);
  const answered = (n: number) => rec.next('call.answered', () => true, n);

  const c1 = acd.enqueue('q', { callId: 'c1', from: '+1', dnis: '100' });
  at(10);
  acd.setState('a1', 'available'); // c1 answered after 10 s: within the service level
  await answered(0);
  at(20);
  const c2 = acd.enqueue('q', { callId: 'c2', from: '+2', dnis: '100' });
  at(50);
  acd.setState('a2', 'available'); // c2 answered after 30 s: outside it
  await answered(1);
  at(60);
  const c3 = acd.enqueue('q', { callId: 'c3', from: '+3', dnis: '100' });
  at(65);
  acd.abandon('c3'); // abandoned after 5 s: a missed call
  at(70);
  acd.callEnded('c1'); // 60 s talk, then wrap-up
  at(80);
  acd.setState('a1', 'available'); // 10 s wrap-up
  at(110);
  acd.callEnded('c2'); // 60 s talk
  at(130);
  acd.setState('a2', 'available'); // 20 s wrap-up
  at(135);
  acd.setState('a1', 'break');
  acd.setState('a2', 'break');
  at(140);
  void acd.enqueue('q', { callId: 'c4', from: '+4', dnis: '100' }); // still waiting at 150 s
  await Promise.all([c1, c2, c3]);
  at(150);
}

// The scripted morning (test/unit/acd/scenario.ts) run on an ACD whose journal writes to `log`.
import { Acd } from '../../../engine/acd/index.js';
import { AcdJournal } from '../../../engine/store/acd-journal.js';
import type { EventLog } from '../../../engine/store/event-log.js';
import { scriptedMorning } from '../acd/scenario.js';

export async function logScriptedMorning(log: EventLog): Promise<void> {
  const clock = { t: 0 };
  const acd = new Acd({ now: () => clock.t });
  const journal = new AcdJournal(log, acd);
  await scriptedMorning(acd, clock);
  journal.detach();
  acd.close();
}

// The demo numbers of the default configuration: `ivr`, a menu (1 echo test, 2 leave a
// message, 3 the survey, 0 a person), and `survey`, the CSAT/NPS robot on its own. Every
// step the caller takes is stored with the call (`ivr.*` and `robot.*` events), so what a
// call did can be read back from the event log (GET /api/events).
import { defineDialplan, NotAvailableError, runRobot, type Call } from 'switchyard/dialplan';
import { survey } from './survey.js';

const MENU = 'Welcome to Switchyard. For an echo test, press 1. To leave a message, press 2. For our survey, press 3. To speak to a person, press 0.';
/** The ACD queue a person is found in (the default configuration's support team). */
const PEOPLE_QUEUE = 'support';

type Route = 'echo' | 'record' | 'survey' | 'person';
const ROUTES: Record<string, Route> = { '1': 'echo', '2': 'record', '3': 'survey', '0': 'person' };

/** The menu with barge-in (a key stops the prompt), asked up to three times. */
async function menu(call: Call): Promise<void> {
  await call.answer();
  for (let attempt = 1; attempt <= 3; attempt++) {
    const { digits, bargedIn } = await call.gather({ prompt: { say: MENU }, maxDigits: 1, timeout: 5000 });
    const route = ROUTES[digits];
    call.note('ivr.choice', { key: digits, route: route ?? null, bargedIn, attempt });
    if (route) return ROUTE_HANDLERS[route](call);
    await call.say(digits ? 'That is not a choice.' : 'Sorry, I did not hear you.');
  }
  await call.say('Goodbye.');
}

const ROUTE_HANDLERS: Record<Route, (call: Call) => Promise<void>> = {
  async echo(call) {
    await call.say('You will hear yourself. Press hash to end the echo test.');
    const { reason, durationMs } = await call.echo({ maxSeconds: 60 });
    call.note('ivr.echo', { reason, durationMs });
    await call.say('Echo test finished. Goodbye.');
  },
  async record(call) {
    await call.say('Leave your message after the beep. Press hash when you are done.');
    const message = await call.record({ beep: true, maxSeconds: 60, silenceTimeoutMs: 5000 });
    call.note('ivr.recorded', { file: message.file, durationMs: message.durationMs, reason: message.reason });
    await call.say('Your message was saved. Here it is.');
    await call.play(message.file);
    await call.say('Goodbye.');
  },
  async survey(call) {
    await runRobot(call, survey);
  },
  async person(call) {
    await call.say('Please hold, we are finding a person for you.');
    try {
      const outcome = await call.enqueue(PEOPLE_QUEUE, { context: { via: 'ivr menu' } });
      call.note('ivr.person', { outcome: outcome.kind });
      if (outcome.kind === 'answered') return;
    } catch (err) {
      if (!(err instanceof NotAvailableError)) throw err;
      call.note('ivr.person', { outcome: 'not-available' });
    }
    await call.say('Nobody can take your call right now. Please try again later. Goodbye.');
  },
};

export default defineDialplan({
  routes: [
    { name: 'ivr', match: { number: 'ivr' }, handler: menu },
    { name: 'survey', match: { number: 'survey' }, handler: async (call) => void (await runRobot(call, survey)) },
  ],
  default: (call) => call.hangup('not-found'),
  robots: { survey },
});

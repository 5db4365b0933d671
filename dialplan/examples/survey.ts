// An example robot: the post-call survey (CSAT 1–5, NPS 0–10), inbound on `survey` and for
// outbound robot calls (POST /api/robot-calls { "flow": "survey", ... }). Answers are stored
// with the call as `robot.survey` events.
import { defineDialplan, defineRobot, runRobot } from 'switchyard/dialplan';

export const survey = defineRobot({
  name: 'survey',
  start: 'questions',
  steps: {
    questions: {
      survey: {
        // A key stops a prompt and answers it, so the greeting goes into the first question.
        csat: 'Thank you for calling. How satisfied were you, from 1, not at all, to 5, very?',
        nps: 'From 0 to 10, how likely are you to recommend us? Then press hash.',
        thanks: 'Thank you. Goodbye.',
      },
      timeoutMs: 5000,
    },
  },
});

export default defineDialplan({
  routes: [{ name: 'survey', match: { number: 'survey' }, handler: async (call) => void (await runRobot(call, survey)) }],
  default: (call) => call.hangup('not-found'),
  robots: { survey },
});

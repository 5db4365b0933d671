// Topic lists and call scripts from the config: what is accepted, what is refused and why,
// and which paths through a script count.
import t from 'tap';
import { Guides, callScript, scriptPath } from '../../../engine/acd/index.js';

const script = {
  title: 'Support',
  start: 'greet',
  steps: {
    greet: { text: 'Hello', options: [{ label: 'Login', next: 'login' }, { label: 'Other', next: 'close' }] },
    login: { text: 'Reset the password', options: [{ label: 'Again', next: 'greet' }, { label: 'Solved', next: 'close' }] },
    close: { text: 'Goodbye' },
  },
};

t.test('topics: a queue list wins over the global one', async (t) => {
  const g = new Guides({ topics: ['Billing', 'Other'], queueTopics: { sales: ['Order', 'Refund'] }, scripts: { support: script } });
  t.same(g.topicsFor('sales'), ['Order', 'Refund']);
  t.same(g.topicsFor('support'), ['Billing', 'Other']);
  t.equal(g.scriptFor('support')?.start, 'greet');
  t.equal(g.scriptFor('sales'), null);
});

t.test('malformed guides are refused, naming the field', async (t) => {
  const bad = (config: object, message: RegExp) => t.throws(() => new Guides({ topics: [], queueTopics: {}, scripts: {}, ...config }), { code: 'invalid', message });
  bad({ topics: 'Billing' }, /^topics must be an array/);
  bad({ topics: ['A', 'A'] }, /topics lists "A" twice/);
  bad({ queueTopics: { q: [''] } }, /queueTopics\.q\[0\]/);
  bad({ scripts: { q: { start: 'a', steps: {} } } }, /scripts\.q\.steps must have 1 to/);
  bad({ scripts: { q: { start: 'x', steps: { a: { text: 'hi' } } } } }, /scripts\.q\.start: no step "x"/);
  bad({ scripts: { q: { start: 'a', steps: { a: { text: 'hi', options: [{ label: 'go', next: 'b' }] } } } } }, /options\[0\]\.next: no step "b"/);
  bad({ scripts: { q: { start: 'a', steps: { a: { text: 'hi' }, b: { text: 'lost' } } } } }, /steps\.b cannot be reached/);
  bad({ scripts: { q: { start: 'a', steps: { a: { text: '' } } } } }, /steps\.a\.text must be a non-empty string/);
  bad({ scripts: { q: { start: 'a', steps: { 'a b': { text: 'x' } } } } }, /a step id is/);
  bad({ scripts: { q: { start: 'a', steps: { a: { text: 'x', options: [{ label: 'go', next: 'a' }, { label: 'go', next: 'a' }] } } } } }, /offers "go" twice/);
});

t.test('a path must start at the start and follow the options; loops are fine', async (t) => {
  const s = callScript(script, 'script');
  t.same(scriptPath(s, ['greet']), { path: ['greet'], finished: false });
  t.same(scriptPath(s, ['greet', 'login', 'greet', 'login', 'close']), { path: ['greet', 'login', 'greet', 'login', 'close'], finished: true });
  t.throws(() => scriptPath(s, []), { code: 'invalid', message: /1 to 100 steps/ });
  t.throws(() => scriptPath(s, 'greet'), { code: 'invalid', message: /path must be an array/ });
  t.throws(() => scriptPath(s, ['login']), { code: 'invalid', message: /begin at the start step "greet"/ });
  t.throws(() => scriptPath(s, ['greet', 'nowhere']), { code: 'invalid', message: /path\[1\]: step "nowhere" does not follow "greet"/ });
  t.throws(() => scriptPath(s, ['greet', 'close', 'login']), { code: 'invalid', message: /path\[2\]/ });
});

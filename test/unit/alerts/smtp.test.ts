// The SMTP client against a real SMTP server process (aiosmtpd): the message arrives whole,
// lines starting with "." survive dot-stuffing, UTF-8 text and subject are encoded; and against
// scripted TCP peers: refused recipients, a refused sender, a silent server (timeout), a
// server that does not know EHLO, and a connection refused.
import t from 'tap';
import { createServer, type Server, type Socket } from 'node:net';
import { formatMail } from '../../../engine/alerts/mail.js';
import { sendMail, SmtpError } from '../../../engine/alerts/smtp.js';
import { SmtpServer } from '../../peers/smtp-server.js';

const decodeBody = (raw: string) => {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const body = rest.join('\n\n');
  return /Content-Transfer-Encoding: base64/i.test(head) ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8') : body;
};

t.test('a message reaches a real SMTP server intact', async (t) => {
  const server = await SmtpServer.start();
  t.teardown(() => server.stop());
  const text = 'Service level is 0.5.\n.a line that starts with a dot\n..and one with two\nend';
  const mail = { from: 'alerts@switchyard.test', to: ['olga@example.org', 'boss@example.org'], subject: 'Queue support: service level low', text };
  const result = await sendMail({ host: '127.0.0.1', port: server.port, timeoutMs: 5000 }, mail, formatMail(mail));
  t.same(result.accepted, mail.to);
  t.equal(result.reply.code, 250);
  const [raw] = await server.waitFor(1);
  t.match(raw, /^Subject: Queue support: service level low$/m);
  t.match(raw, /^X-MailFrom: alerts@switchyard.test$/m, 'envelope sender');
  t.match(raw, /^X-RcptTo: olga@example.org, ?boss@example.org$/m, 'both envelope recipients');
  t.equal(decodeBody(raw).replace(/\r\n/g, '\n').trimEnd(), text, 'dot-stuffed lines are restored by the server');

  const utf = { from: 'alerts@switchyard.test', to: ['olga@example.org'], subject: 'Очередь: уровень сервиса', text: 'Уровень сервиса 50 %' };
  await sendMail({ host: '127.0.0.1', port: server.port }, utf, formatMail(utf));
  const [, second] = await server.waitFor(2);
  const subject = /^Subject: =\?UTF-8\?B\?(.*)\?=$/m.exec(second)?.[1];
  t.equal(Buffer.from(subject ?? '', 'base64').toString('utf8'), utf.subject, 'RFC 2047 subject');
  t.equal(decodeBody(second).trim(), utf.text, 'base64 UTF-8 body');
});

/** A scripted SMTP peer: answers each command line with `answer(line)` (null: say nothing). */
async function scripted(greeting: string | null, answer: (line: string) => string | null): Promise<{ server: Server; port: number; lines: string[] }> {
  const lines: string[] = [];
  const server = createServer((socket: Socket) => {
    if (greeting) socket.write(greeting);
    let buf = '';
    socket.on('data', (chunk) => {
      buf += chunk.toString();
      let nl: number;
      while ((nl = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        lines.push(line);
        const reply = answer(line);
        if (reply) socket.write(reply);
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, lines };
}

const envelope = { from: 'a@x.test', to: ['b@y.test', 'c@y.test'] };
const message = formatMail({ ...envelope, subject: 's', text: 't' });

t.test('reply codes: one recipient refused, then every recipient refused, then the sender refused', async (t) => {
  let refuse = new Set(['c@y.test']);
  let mailCode = '250 ok\r\n';
  let inData = false;
  const peer = await scripted('220 test ESMTP\r\n', (line) => {
    if (inData) {
      if (line === '.') {
        inData = false;
        return '250 queued as 42\r\n';
      }
      return null;
    }
    if (line.startsWith('EHLO')) return '250-test\r\n250-8BITMIME\r\n250 SIZE 1000000\r\n';
    if (line.startsWith('MAIL')) return mailCode;
    if (line.startsWith('RCPT')) return refuse.has(/<(.*)>/.exec(line)![1]) ? '550 5.1.1 no such user\r\n' : '250 ok\r\n';
    if (line === 'DATA') return ((inData = true), '354 go ahead\r\n');
    if (line === 'QUIT') return '221 bye\r\n';
    return '502 unknown\r\n';
  });
  t.teardown(() => peer.server.close());
  const opts = { host: '127.0.0.1', port: peer.port, timeoutMs: 3000 };

  const partly = await sendMail(opts, envelope, message);
  t.same(partly.accepted, ['b@y.test']);
  t.equal(partly.rejected[0].address, 'c@y.test');
  t.equal(partly.rejected[0].reply.code, 550);
  t.same(partly.reply.lines, ['queued as 42'], 'the final reply of a multi-line-capable exchange');

  refuse = new Set(envelope.to);
  const none = await sendMail(opts, envelope, message).catch((e) => e);
  t.ok(none instanceof SmtpError);
  t.equal(none.stage, 'RCPT');
  t.equal(none.reply.code, 550);

  mailCode = '451 4.3.0 try later\r\n';
  const sender = await sendMail(opts, envelope, message).catch((e) => e);
  t.equal(sender.stage, 'MAIL');
  t.equal(sender.reply.code, 451);
  const quits = () => peer.lines.filter((l) => l === 'QUIT').length;
  for (let i = 0; i < 100 && quits() < 3; i++) await new Promise((r) => setTimeout(r, 20));
  t.equal(quits(), 3, 'every attempt says QUIT, the failed ones too');
});

t.test('a server that does not know EHLO gets HELO', async (t) => {
  let inData = false;
  const peer = await scripted('220 old\r\n', (line) => {
    if (inData) return line === '.' ? ((inData = false), '250 ok\r\n') : null;
    if (line.startsWith('EHLO')) return '500 5.5.1 command unrecognized\r\n';
    if (line === 'DATA') return ((inData = true), '354 go\r\n');
    if (line === 'QUIT') return '221 bye\r\n';
    return '250 ok\r\n';
  });
  t.teardown(() => peer.server.close());
  const result = await sendMail({ host: '127.0.0.1', port: peer.port, helo: 'switchyard.test' }, { from: 'a@x.test', to: ['b@y.test'] }, message);
  t.same(result.accepted, ['b@y.test']);
  t.ok(peer.lines.includes('HELO switchyard.test'));
});

t.test('AUTH PLAIN is sent when a user is set, and refused when the server does not offer it', async (t) => {
  let offerAuth = true;
  let inData = false;
  const peer = await scripted('220 test\r\n', (line) => {
    if (inData) return line === '.' ? ((inData = false), '250 ok\r\n') : null;
    if (line.startsWith('EHLO')) return offerAuth ? '250-test\r\n250 AUTH LOGIN PLAIN\r\n' : '250 test\r\n';
    if (line.startsWith('AUTH PLAIN ')) return Buffer.from(line.slice(11), 'base64').toString() === '\0alerts\0s3cret' ? '235 2.7.0 ok\r\n' : '535 5.7.8 bad\r\n';
    if (line === 'DATA') return ((inData = true), '354 go\r\n');
    if (line === 'QUIT') return '221 bye\r\n';
    return '250 ok\r\n';
  });
  t.teardown(() => peer.server.close());
  const opts = { host: '127.0.0.1', port: peer.port, user: 'alerts', password: 's3cret' };
  t.same((await sendMail(opts, { from: 'a@x.test', to: ['b@y.test'] }, message)).accepted, ['b@y.test']);
  const wrong = await sendMail({ ...opts, password: 'nope' }, { from: 'a@x.test', to: ['b@y.test'] }, message).catch((e) => e);
  t.equal(wrong.stage, 'AUTH');
  t.equal(wrong.reply.code, 535);
  offerAuth = false;
  const unoffered = await sendMail(opts, { from: 'a@x.test', to: ['b@y.test'] }, message).catch((e) => e);
  t.match(unoffered.message, /does not offer AUTH PLAIN/);
});

t.test('a silent server times out; a closed port fails; a bad address is refused before connecting', async (t) => {
  const silent = await scripted(null, () => null);
  t.teardown(() => silent.server.close());
  const timeout = await sendMail({ host: '127.0.0.1', port: silent.port, timeoutMs: 300 }, envelope, message).catch((e) => e);
  t.ok(timeout instanceof SmtpError);
  t.equal(timeout.stage, 'timeout');

  const closed = await scripted(null, () => null);
  const port = closed.port;
  await new Promise((r) => closed.server.close(r));
  const refused = await sendMail({ host: '127.0.0.1', port, timeoutMs: 3000 }, envelope, message).catch((e) => e);
  t.equal(refused.stage, 'connect');

  const bad = await sendMail({ host: '127.0.0.1', port }, { from: 'a@x.test', to: ['b@y.test>\r\nRCPT TO:<evil@z'] }, message).catch((e) => e);
  t.equal(bad.stage, 'envelope', 'no command injection through an address');
});

t.test('STARTTLS: EHLO, STARTTLS, the TLS handshake, EHLO again, AUTH, against aiosmtpd requiring TLS', async (t) => {
  const server = await SmtpServer.start({ user: 'alerts', password: 's3cret' });
  t.teardown(() => server.stop());
  const opts = { host: '127.0.0.1', port: server.port, user: 'alerts', password: 's3cret', timeoutMs: 10_000 };
  const text = 'Sent over TLS.';
  const mail = formatMail({ from: 'switchyard@example.test', to: ['ops@example.test'], subject: 'TLS alert', text });

  const sent = await sendMail({ ...opts, tls: 'required', ca: server.certificate }, { from: 'switchyard@example.test', to: ['ops@example.test'] }, mail);
  t.same(sent.accepted, ['ops@example.test'], 'required: upgraded, authenticated over TLS, accepted');
  t.equal(decodeBody((await server.waitFor(1))[0]).trim(), text, 'the message arrived');
  const opportunistic = await sendMail({ ...opts, ca: server.certificate }, { from: 'switchyard@example.test', to: ['ops@example.test'] }, mail);
  t.same(opportunistic.accepted, ['ops@example.test'], 'opportunistic (the default) upgrades when offered');

  const untrusted = await sendMail({ ...opts, tls: 'required' }, envelope, mail).catch((e) => e);
  t.match(untrusted, { stage: 'TLS', message: /self[- ]signed/i }, 'a certificate no CA vouches for is refused');
  const unverified = await sendMail({ ...opts, tls: 'required', verify: false }, envelope, mail);
  t.same(unverified.accepted, envelope.to, 'unless verification is turned off');

  const plain = await sendMail({ ...opts, tls: 'off' }, envelope, mail).catch((e) => e);
  t.match(plain, { stage: 'AUTH', message: /does not offer AUTH PLAIN/ }, 'in the clear the server offers no AUTH');
  const anonymous = await sendMail({ host: '127.0.0.1', port: server.port, tls: 'off' }, envelope, mail).catch((e) => e);
  t.match(anonymous, { stage: 'MAIL', reply: { code: 530 } }, 'and refuses mail before STARTTLS');
  t.equal(server.messages().length, 3, 'only the TLS attempts delivered');
});

t.test('STARTTLS required: a server without it gets no AUTH and no mail in the clear', async (t) => {
  const peer = await scripted('220 test\r\n', (line) => (line.startsWith('EHLO') ? '250-test\r\n250 AUTH PLAIN\r\n' : line === 'QUIT' ? '221 bye\r\n' : '250 ok\r\n'));
  t.teardown(() => peer.server.close());
  const opts = { host: '127.0.0.1', port: peer.port, user: 'alerts', password: 's3cret' };
  const refused = await sendMail({ ...opts, tls: 'required' }, envelope, message).catch((e) => e);
  t.match(refused, { stage: 'STARTTLS', message: /does not offer STARTTLS/ });
  t.notOk(peer.lines.some((l) => l.startsWith('AUTH') || l.startsWith('MAIL')), `no AUTH, no MAIL: only (${peer.lines.join(', ')})`);
  t.same((await sendMail({ host: '127.0.0.1', port: peer.port }, envelope, message).catch((e) => e)).stage, 'DATA', 'opportunistic goes on in the clear (this peer then refuses DATA)');
  t.equal((await sendMail({ ...opts, tls: 'sometimes' as never }, envelope, message).catch((e) => e)).stage, 'config', 'an unknown mode is refused');
});

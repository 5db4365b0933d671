// Formats a plain-text e-mail (RFC 5322 headers, MIME for UTF-8): ASCII text goes as 7bit,
// anything else as base64; a non-ASCII subject as an RFC 2047 encoded word.
import { randomBytes } from 'node:crypto';

export interface Mail {
  from: string;
  to: string[];
  subject: string;
  text: string;
}

const ASCII = /^[\x20-\x7e\r\n\t]*$/;

function header(value: string): string {
  const oneLine = value.replace(/[\r\n]+/g, ' ');
  return ASCII.test(oneLine) ? oneLine : `=?UTF-8?B?${Buffer.from(oneLine, 'utf8').toString('base64')}?=`;
}

/** RFC 5322 §3.3 date-time, in UTC. */
const date = (at: Date) => at.toUTCString().replace('GMT', '+0000');

export function formatMail(mail: Mail, at = new Date()): string {
  const text = mail.text.replace(/\r?\n/g, '\r\n');
  // RFC 5322 §2.1.1: lines of at most 998 characters; longer text goes base64 too.
  const plain = ASCII.test(text) && text.split('\r\n').every((l) => l.length <= 998);
  const body = plain ? text : (Buffer.from(text, 'utf8').toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
  const domain = mail.from.split('@')[1] ?? 'localhost';
  return [
    `From: <${mail.from}>`,
    `To: ${mail.to.map((t) => `<${t}>`).join(', ')}`,
    `Subject: ${header(mail.subject)}`,
    `Date: ${date(at)}`,
    `Message-ID: <${randomBytes(12).toString('hex')}@${domain}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Transfer-Encoding: ${plain ? '7bit' : 'base64'}`,
    '',
    body,
    '',
  ].join('\r\n');
}

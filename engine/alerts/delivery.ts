// Sends an alert's firing and clearing where its rule says: the console (a stream event), a
// webhook (HTTP POST of JSON) and e-mail (SMTP). Channels fail independently; each outcome is
// reported to `onOutcome` so it can be logged, never thrown at the evaluator.
import { formatMail } from './mail.js';
import type { AlertRule } from './rules.js';
import { sendMail, type SmtpOptions } from './smtp.js';
import type { Transition } from './evaluator.js';

export interface MailSettings extends SmtpOptions {
  /** The sender address of alert e-mails. */
  from: string;
}

export interface DeliveryOutcome {
  alertId: string;
  kind: Transition['kind'];
  channel: 'console' | 'webhook' | 'email';
  ok: boolean;
  error?: string;
}

export interface DeliveryDeps {
  /** Pushes the transition to the console's event stream. */
  publish: (t: Transition) => void;
  mail: MailSettings | null;
  webhookTimeoutMs?: number;
  onOutcome?: (o: DeliveryOutcome) => void;
}

function describe({ kind, alert }: Transition): { subject: string; text: string } {
  const who = alert.queueId ? `queue ${alert.queueId}` : `agent ${alert.agentId}`;
  const subject = `[Switchyard] ${kind === 'fired' ? 'ALERT' : 'cleared'}: ${alert.name} (${who})`;
  const text = [
    `${alert.name}: ${alert.kpi} ${alert.op} ${alert.threshold} for ${who}.`,
    `Reading: ${alert.value ?? 'none'}`,
    `Fired at: ${new Date(alert.firedAt).toISOString()}`,
    ...(alert.clearedAt !== null ? [`Cleared at: ${new Date(alert.clearedAt).toISOString()}`] : []),
    `Alert id: ${alert.id}`,
  ].join('\n');
  return { subject, text };
}

export class AlertDelivery {
  constructor(private readonly d: DeliveryDeps) {}

  /** Resolves once every channel has succeeded or failed. */
  async deliver(rule: AlertRule, t: Transition): Promise<void> {
    const jobs: [DeliveryOutcome['channel'], () => unknown][] = [];
    if (rule.channels.console) jobs.push(['console', () => this.d.publish(t)]);
    if (rule.channels.webhook) jobs.push(['webhook', () => this.postWebhook(rule.channels.webhook!, t)]);
    if (rule.channels.email) jobs.push(['email', () => this.sendEmail(rule.channels.email!, t)]);
    await Promise.all(
      jobs.map(async ([channel, job]) => {
        try {
          await job();
          this.d.onOutcome?.({ alertId: t.alert.id, kind: t.kind, channel, ok: true });
        } catch (err) {
          this.d.onOutcome?.({ alertId: t.alert.id, kind: t.kind, channel, ok: false, error: (err as Error).message });
        }
      }),
    );
  }

  private async postWebhook(url: string, t: Transition): Promise<void> {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: `alert.${t.kind}`, alert: t.alert }),
      signal: AbortSignal.timeout(this.d.webhookTimeoutMs ?? 10_000),
    });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`webhook answered HTTP ${res.status}`);
  }

  private async sendEmail(to: string[], t: Transition): Promise<void> {
    const mail = this.d.mail;
    if (!mail) throw new Error('no SMTP server is configured (alerts.smtp)');
    const { subject, text } = describe(t);
    await sendMail(mail, { from: mail.from, to }, formatMail({ from: mail.from, to, subject, text }));
  }
}

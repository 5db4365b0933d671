// Position and estimated-wait announcements for a waiting caller (QueueConfig.announce):
// every `everyMs` the music on hold gives way to a synthesized sentence, then comes back.
// The sentence is synthesized (or found in the TTS cache) before the music pauses, so the
// caller never hears silence while espeak-ng runs.
import type { Logger } from 'pino';
import type { Acd } from '../acd/index.js';
import type { ContactCall } from './contact-call.js';

/** Text to a ready-to-play 8 kHz WAV (dialplan/tts; wired in engine/server.ts). */
export interface Speech {
  synthesize(text: string): Promise<string>;
}

/** What the caller at `position` is told; `waitMs` is the ACD's estimate (engine/acd/README.md). */
export function announcementText(position: number, waitMs: number, say: { position: boolean; waitTime: boolean }): string {
  const parts: string[] = [];
  if (say.position) parts.push(position === 1 ? 'You are next in line.' : `You are number ${position} in the queue.`);
  if (say.waitTime) {
    const minutes = Math.max(1, Math.round(waitMs / 60_000));
    parts.push(`Your estimated wait is about ${minutes} minute${minutes === 1 ? '' : 's'}.`);
  }
  return parts.join(' ');
}

/** Announces to one waiting caller while they wait in one queue; a new one starts if the call overflows to another queue. */
export class Announcer {
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly call: ContactCall,
    private readonly queueId: string,
    private readonly acd: Acd,
    private readonly speech: Speech,
    private readonly logger: Logger,
  ) {
    const config = acd.queue(queueId).config.announce!;
    this.timer = setInterval(() => void this.announce(config), config.everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async announce(say: { position: boolean; waitTime: boolean }): Promise<void> {
    const { call, acd } = this;
    // Only a caller still waiting here (not ringing an agent) is told.
    const item = acd.calls().find((c) => c.callId === call.callId);
    if (!item || item.phase !== 'waiting' || item.queueId !== this.queueId || !call.hold || call.agent) return;
    const position = acd.position(call.callId);
    const text = announcementText(position, acd.estimatedWaitMs(this.queueId, position), say);
    try {
      await call.hold.announce(await this.speech.synthesize(text));
    } catch (err) {
      this.logger.warn({ err, callId: call.callId }, 'queue announcement failed');
    }
  }
}

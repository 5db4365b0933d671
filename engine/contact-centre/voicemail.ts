// Overflow to voicemail: the caller hears a greeting (synthesized, cached), a beep, and what
// they say is recorded until silence, the length limit, '#' or their hang-up. The WAV and a
// voicemail record (caller, queue, duration, path, missed-call id) go to the store; the ACD has
// already made the missed-call record that its callback works from.
import type { Logger } from 'pino';
import type { Endpoint } from '../../media/endpoint.js';
import { VoicemailBox, type VoicemailRecord } from '../store/voicemail.js';
import type { Speech } from './announcer.js';
import type { ContactCall } from './contact-call.js';

export interface VoicemailSettings {
  /** Said before the beep; '' for none. */
  greeting: string;
  maxSeconds: number;
  /** The recording ends after this long without speech (the endpoint's VAD). */
  silenceSeconds: number;
}

/** Records what the caller says into a WAV named after `name` (dialplan's EndpointMedia.record, wired in engine/server.ts). */
export type RecordMessage = (
  endpoint: Endpoint,
  name: string,
  options: { beep: boolean; maxSeconds: number; silenceTimeoutMs: number },
  signal: AbortSignal,
) => Promise<{ file: string; durationMs: number; reason: string }>;

export interface VoicemailDeps {
  box: VoicemailBox;
  record: RecordMessage;
  speech?: Speech;
  settings: VoicemailSettings;
  logger: Logger;
}

export class Voicemail {
  constructor(private readonly d: VoicemailDeps) {}

  /** Takes a message from the caller of `call`; null if they hung up before the beep ended. */
  async take(call: ContactCall, info: { caller: string; queueId: string; box: string; missedId: string | null }): Promise<VoicemailRecord | null> {
    const endpoint = call.client?.endpoint;
    if (!endpoint || call.ended) return null;
    const gone = new AbortController();
    const abort = () => gone.abort();
    call.once('ended', abort);
    try {
      if (this.d.speech && this.d.settings.greeting) {
        const greeting = await endpoint.play(await this.d.speech.synthesize(this.d.settings.greeting));
        gone.signal.addEventListener('abort', () => greeting.stop(), { once: true });
        await greeting.done;
      }
      if (call.ended) return null;
      const id = VoicemailBox.newId();
      const { settings } = this.d;
      const result = await this.d.record(endpoint, id, { beep: true, maxSeconds: settings.maxSeconds, silenceTimeoutMs: settings.silenceSeconds * 1000 }, gone.signal);
      const record: VoicemailRecord = {
        id,
        ...info,
        callId: call.callId,
        path: result.file,
        durationMs: result.durationMs,
        endedBy: result.reason,
        recordedAt: Date.now(),
      };
      this.d.box.save(record);
      return record;
    } catch (err) {
      // A hang-up during the greeting or the beep ends the wait with an AbortError.
      if (!gone.signal.aborted) this.d.logger.error({ err, callId: call.callId }, 'voicemail failed');
      return null;
    } finally {
      call.off('ended', abort);
    }
  }
}

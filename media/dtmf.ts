// DTMF on an endpoint: the types of sendDtmf, detection modes and the events.
// The work is native (native/src/telephone_event.*, dtmf_detector.*, dtmf_sender.*).

/** A DTMF key. Lower-case a–d are accepted and reported upper-case. */
export type DtmfDigit = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '*' | '#' | 'A' | 'B' | 'C' | 'D';

/** How a digit travelled: RFC 4733 telephone-event packets, or tones in the audio. */
export type DtmfMethod = 'rfc4733' | 'inband';

/**
 * Which receive paths report digits. 'auto' (default): RFC 4733 always, and in-band
 * detection only while no telephone-event payload type is set (the peer did not offer one).
 */
export type DtmfDetectMode = 'auto' | 'inband' | 'rfc4733' | 'off';

export interface SendDtmfOptions {
  /** Tone (or event) length of each key, 40–60000 ms (RFC 4733 events past 8 s go as segments). Default 100. */
  durationMs?: number;
  /** Pause after each key, 40–60000 ms. Default 100. */
  gapMs?: number;
  /** Level of each tone in -dBm0, 0–63 (the RFC 4733 volume field). Default 10. */
  volume?: number;
  /**
   * 'rfc4733': telephone-event packets (throws RangeError if the endpoint has no
   * telephone-event payload type); 'inband': the dual tones in the audio; 'auto' (default):
   * RFC 4733 if a telephone-event payload type is set when the digits start, else in-band.
   */
  method?: DtmfMethod | 'auto';
}

/** A key press, reported once when it ends. */
export interface DtmfEvent {
  digit: DtmfDigit;
  durationMs: number;
  method: DtmfMethod;
}

/** The digits of one sendDtmf call have all been sent (gaps included). */
export interface DtmfSentEvent {
  digits: string;
  method: DtmfMethod;
}

// An endpoint's counters: the addon hands them over as a Float64Array in its own order (one
// Node-API call instead of 35 property stores through the API), named here.
import type { EndpointStats } from './native.js';

/** The counters in the addon's order (native/src/counters.h); loadAddon checks that they match. */
export const ENDPOINT_COUNTERS: ReadonlyArray<keyof EndpointStats> = [
  'packetsIn', 'bytesIn', 'packetsOut', 'bytesOut', 'malformed', 'wrongSource', 'unknownPayloadType', 'lost',
  'duplicates', 'late', 'concealed', 'timestampJumps', 'ssrcChanges', 'sequenceRestarts', 'underruns', 'overflows',
  'jitterDepthMs', 'jitterTargetMs', 'telephoneEvents', 'dtmfDigits',
  'sendErrors', 'rtpTimeouts', 'jitterUs', 'rtcpSent', 'rtcpReceived', 'rtcpMalformed', 'rtcpByes',
  'remoteLossPermille', 'remoteCumulativeLost', 'remoteJitterUs', 'rttUs',
  'talkMs', 'silenceMs', 'overlapMs', 'interruptions',
];

/** Names the addon's counter values. */
export function statsFrom(values: ArrayLike<number>): EndpointStats {
  const stats = {} as Record<keyof EndpointStats, number>;
  for (let i = 0; i < ENDPOINT_COUNTERS.length; i++) stats[ENDPOINT_COUNTERS[i]] = values[i];
  return stats;
}

/** All counters at 0 (an endpoint whose counters could not be read any more). */
export function zeroStats(): EndpointStats {
  return statsFrom(new Float64Array(ENDPOINT_COUNTERS.length));
}

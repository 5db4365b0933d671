// Connects the RTP endpoints of two calls so their callers hear each other (call.bridge).
// A mixer and its members live on one media thread (DESIGN.md), but two independent calls'
// endpoints may be on different threads. Then each call gets a mixer on its own thread, and
// the two mixers are joined by a pair of link endpoints that send each other RTP over
// loopback: what one caller says crosses as a plain RTP stream, like a trunk between two PBXs.
import type { Endpoint, MediaEngine, Mixer } from '../media/index.js';
import type { MediaBridge } from './media-port.js';

export interface MediaConnection {
  /** The bridge as `a`'s call sees it (stereo recording: `a` left, the other party right). */
  a: MediaBridge;
  b: MediaBridge;
  /** Closes the mixers and the link; `a` and `b` stay open, no longer mixed. */
  close(): void;
}

export function connectEndpoints(media: MediaEngine, a: Endpoint, b: Endpoint): MediaConnection {
  if (a.thread === b.thread) {
    const mixer = media.createMixer({ thread: a.thread });
    join(mixer, a, b);
    return { a: { mixer, self: a, other: b }, b: { mixer, self: b, other: a }, close: () => mixer.close() };
  }
  const linkA = media.createEndpoint({ thread: a.thread });
  const linkB = media.createEndpoint({ thread: b.thread });
  linkA.setRemote(linkB.address, linkB.port);
  linkB.setRemote(linkA.address, linkA.port);
  const mixerA = media.createMixer({ thread: a.thread });
  const mixerB = media.createMixer({ thread: b.thread });
  join(mixerA, a, linkA);
  join(mixerB, b, linkB);
  return {
    a: { mixer: mixerA, self: a, other: linkA },
    b: { mixer: mixerB, self: b, other: linkB },
    close: () => {
      mixerA.close();
      mixerB.close();
      void linkA.close();
      void linkB.close();
    },
  };
}

/** Two members that hear each other. */
function join(mixer: Mixer, x: Endpoint, y: Endpoint): void {
  mixer.addMember(x);
  mixer.addMember(y);
  mixer.setMode('bridge', { agent: x, client: y });
}

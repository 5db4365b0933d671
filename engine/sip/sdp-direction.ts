// Just enough SDP for the dialog layer's default re-INVITE answer: keep our session, flip
// the direction the offer asks for (RFC 3264 §6.1: sendonly → recvonly, inactive → inactive).
const DIRECTION = /^a=(sendrecv|sendonly|recvonly|inactive)\r?$/m;
const ANSWER: Record<string, string> = { sendrecv: 'sendrecv', sendonly: 'recvonly', recvonly: 'sendonly', inactive: 'inactive' };

export function offeredDirection(sdp: string): string {
  return DIRECTION.exec(sdp)?.[1] ?? 'sendrecv';
}

/** Our last SDP answered anew to `offer`: direction mirrored, o= version bumped (§8). */
export function reanswer(localSdp: string, offer: string): string {
  const direction = ANSWER[offeredDirection(offer)];
  const lines = localSdp.split(/\r?\n/).filter((l) => l !== '' && !DIRECTION.test(l));
  const out = lines.map((l) => (l.startsWith('o=') ? bumpVersion(l) : l));
  out.push(`a=${direction}`);
  return out.join('\r\n') + '\r\n';
}

function bumpVersion(origin: string): string {
  const f = origin.split(' ');
  if (f.length >= 3 && /^\d+$/.test(f[2])) f[2] = String(BigInt(f[2]) + 1n);
  return f.join(' ');
}

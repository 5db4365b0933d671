// Where to send a request: the first Route if there is one (loose routing, RFC 3261 §16.12),
// else the Request-URI. Hosts must be IP literals or localhost; no DNS (RFC 3263) here.
import { isIP } from 'node:net';
import { isSipUri, parseUri } from './uri.js';
import { parseNameAddr } from './headers.js';
import { SipError } from './errors.js';
import type { SendTarget } from './transport/types.js';

export function targetFromUri(uriText: string): SendTarget {
  const uri = parseUri(uriText);
  if (!uri || !isSipUri(uri)) throw new SipError(416, 'Unsupported URI Scheme', 'bad-target');
  let address = uri.host.startsWith('[') ? uri.host.slice(1, -1) : uri.host;
  if (address === 'localhost') address = '127.0.0.1';
  if (!isIP(address)) throw new SipError(502, 'Target Host Not An IP Address', 'bad-target');
  const transport = (uri.params.get('transport') ?? 'udp').toLowerCase();
  if (transport !== 'udp' && transport !== 'tcp') throw new SipError(503, `Unsupported Transport ${transport}`, 'bad-target');
  const maddr = uri.params.get('maddr');
  return { protocol: transport, address: maddr && isIP(maddr) ? maddr : address, port: uri.port ?? 5060 };
}

/** Target for a request with this Request-URI and route set (Route header values). */
export function targetFor(requestUri: string, routes: readonly string[]): SendTarget {
  if (routes.length > 0) {
    const first = parseNameAddr(routes[0]);
    if (!first) throw new SipError(500, 'Bad Route', 'bad-route');
    const uriText = routes[0].slice(routes[0].indexOf('<') + 1, routes[0].indexOf('>'));
    return targetFromUri(uriText || requestUri);
  }
  return targetFromUri(requestUri);
}

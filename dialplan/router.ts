// Route selection: inbound calls to a handler, outbound numbers to a trunk. First match wins.
import type { CallVariables } from './call.js';
import type { CallHandler, DialplanDefinition, InboundRoute, Matcher, OutboundRoute } from './define.js';
import type { CallInfo } from './leg.js';

export function matches(matcher: Matcher, value: string): boolean {
  if (typeof matcher === 'string') return matcher === value;
  if (matcher instanceof RegExp) {
    matcher.lastIndex = 0; // a /g or /y pattern keeps state between calls
    return matcher.test(value);
  }
  return matcher(value);
}

function routeMatches(route: InboundRoute<never>, info: CallInfo): boolean {
  const m = route.match;
  if (typeof m === 'function') return m(info);
  if (m.number !== undefined && !matches(m.number, info.number)) return false;
  if (m.to !== undefined && !matches(m.to, info.to.user)) return false;
  if (m.from !== undefined && !matches(m.from, info.from.user)) return false;
  for (const [name, matcher] of Object.entries(m.headers ?? {})) {
    const value = info.header(name);
    if (value === undefined || !matches(matcher, value)) return false;
  }
  return m.when === undefined || m.when(info);
}

export interface SelectedRoute<V extends CallVariables> {
  /** The route's name, `routes[i]`, or 'default'. */
  name: string;
  handler: CallHandler<V>;
}

/** The first inbound route matching `info`, else the default; null when neither. */
export function selectRoute<V extends CallVariables>(dialplan: DialplanDefinition<V>, info: CallInfo): SelectedRoute<V> | null {
  for (let i = 0; i < dialplan.routes.length; i++) {
    const route = dialplan.routes[i];
    if (routeMatches(route as InboundRoute<never>, info)) return { name: route.name ?? `routes[${i}]`, handler: route.handler };
  }
  return dialplan.default ? { name: 'default', handler: dialplan.default } : null;
}

/** The trunk and the number to send for an outbound `number`; null when no route matches. */
export function selectOutbound(routes: readonly OutboundRoute[], number: string): { trunk: string; number: string; route: string } | null {
  for (let i = 0; i < routes.length; i++) {
    const r = routes[i];
    if (matches(r.match, number)) return { trunk: r.trunk, number: r.rewrite ? r.rewrite(number) : number, route: r.name ?? `outbound[${i}]` };
  }
  return null;
}

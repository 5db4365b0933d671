// What a dialplan module exports: `export default defineDialplan({...})`. The helper checks
// the shape at load time and gives the editor the types of routes, handlers and call variables.
import type { Call, CallVariables } from './call.js';
import { DialplanError } from './errors.js';
import type { CallInfo } from './leg.js';
import { isRobot, type Robot } from './robot/flow.js';

/** Matches a string: exactly, by regular expression, or by a function. */
export type Matcher = string | RegExp | ((value: string) => boolean);

/** Conditions on an inbound call; every one given must hold. */
export interface RouteMatch {
  /** The Request-URI user (the number dialled). */
  number?: Matcher;
  /** The To header's user part. */
  to?: Matcher;
  /** The From header's user part (the caller). */
  from?: Matcher;
  /** Header values by name (case-insensitive); an absent header never matches. */
  headers?: Record<string, Matcher>;
  /** Any other condition. */
  when?: (info: CallInfo) => boolean;
}

export type CallHandler<V extends CallVariables = CallVariables> = (call: Call<V>) => Promise<void> | void;

export interface InboundRoute<V extends CallVariables = CallVariables> {
  /** For logs and events; defaults to the route's position. */
  name?: string;
  match: RouteMatch | ((info: CallInfo) => boolean);
  handler: CallHandler<V>;
}

/** Which trunk an outbound number leaves by. */
export interface OutboundRoute {
  name?: string;
  match: Matcher;
  /** A trunk name from the engine configuration (`trunks`). */
  trunk: string;
  /** Rewrites the number before it is sent (strip a prefix, add a country code). */
  rewrite?: (number: string) => string;
}

export interface DialplanDefinition<V extends CallVariables = CallVariables> {
  /** First match wins. */
  routes: InboundRoute<V>[];
  /** For calls no route matches; without one they are answered 404. */
  default?: CallHandler<V>;
  /** Outbound routes, first match wins. */
  outbound?: OutboundRoute[];
  /** Fresh call variables for each call. */
  variables?: () => V;
  /** Robot flows by name: what `POST /api/robot-calls` can run on an outbound call. */
  robots?: Record<string, Robot>;
}

const DIALPLAN = Symbol.for('switchyard.dialplan');

export type Dialplan<V extends CallVariables = CallVariables> = DialplanDefinition<V> & { readonly [DIALPLAN]: true };

export function defineDialplan<V extends CallVariables = CallVariables>(definition: DialplanDefinition<V>): Dialplan<V> {
  validate(definition as unknown as DialplanDefinition);
  return Object.freeze({ ...definition, [DIALPLAN]: true as const });
}

export function isDialplan(value: unknown): value is Dialplan<CallVariables> {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[DIALPLAN] === true;
}

const isMatcher = (m: unknown): boolean => typeof m === 'string' || m instanceof RegExp || typeof m === 'function';

function validate(d: DialplanDefinition): void {
  const fail = (what: string): never => {
    throw new DialplanError('invalid-dialplan', `defineDialplan: ${what}`);
  };
  if (typeof d !== 'object' || d === null) fail('expects an object');
  if (!Array.isArray(d.routes)) fail('`routes` must be an array');
  d.routes.forEach((r, i) => {
    const at = `routes[${i}]${r?.name ? ` (${r.name})` : ''}`;
    if (typeof r !== 'object' || r === null) fail(`${at} must be an object`);
    if (typeof r.handler !== 'function') fail(`${at}.handler must be a function`);
    if (typeof r.match === 'function') return;
    if (typeof r.match !== 'object' || r.match === null) fail(`${at}.match must be an object or a function`);
    for (const key of ['number', 'to', 'from'] as const) {
      if (r.match[key] !== undefined && !isMatcher(r.match[key])) fail(`${at}.match.${key} must be a string, RegExp or function`);
    }
    for (const [name, m] of Object.entries(r.match.headers ?? {})) if (!isMatcher(m)) fail(`${at}.match.headers["${name}"] must be a string, RegExp or function`);
    if (r.match.when !== undefined && typeof r.match.when !== 'function') fail(`${at}.match.when must be a function`);
  });
  if (d.default !== undefined && typeof d.default !== 'function') fail('`default` must be a function');
  if (d.variables !== undefined && typeof d.variables !== 'function') fail('`variables` must be a function returning the initial variables');
  for (const [name, robot] of Object.entries(d.robots ?? {})) if (!isRobot(robot)) fail(`robots.${name} must be a defineRobot(...) flow`);
  (d.outbound ?? []).forEach((r, i) => {
    if (!isMatcher(r?.match)) fail(`outbound[${i}].match must be a string, RegExp or function`);
    if (typeof r.trunk !== 'string' || !r.trunk) fail(`outbound[${i}].trunk must name a trunk`);
    if (r.rewrite !== undefined && typeof r.rewrite !== 'function') fail(`outbound[${i}].rewrite must be a function`);
  });
}

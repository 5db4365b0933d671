// Turns untrusted input (API bodies, the config file) into complete agent profiles and queue
// settings, or throws AcdError('invalid') saying which field is wrong.
import { AcdError } from './errors.js';
import { STRATEGIES, type AgentProfile, type OverflowTarget, type QueueConfig, type Strategy } from './types.js';

type Obj = Record<string, unknown>;

function object(value: unknown, what: string): Obj {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new AcdError('invalid', `${what} must be an object`);
  return value as Obj;
}

export function text(value: unknown, what: string, fallback?: string): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || value.trim() === '' || value.length > 200) throw new AcdError('invalid', `${what} must be a non-empty string`);
  return value;
}

export function count(value: unknown, what: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) throw new AcdError('invalid', `${what} must be an integer from 0 to ${max}`);
  return value;
}

function flag(value: unknown, what: string, fallback = true): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new AcdError('invalid', `${what} must be true or false`);
  return value;
}

function texts(value: unknown, what: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new AcdError('invalid', `${what} must be an array of strings`);
  return value.map((v, i) => text(v, `${what}[${i}]`));
}

function levels(value: unknown, what: string, min: number): Record<string, number> {
  if (value === undefined) return {};
  const out: Record<string, number> = {};
  for (const [skill, level] of Object.entries(object(value, what))) {
    if (typeof level !== 'number' || !Number.isInteger(level) || level < min || level > 10) throw new AcdError('invalid', `${what}.${skill} must be a level from ${min} to 10`);
    out[skill] = level;
  }
  return out;
}

export function agentProfile(input: unknown): AgentProfile {
  const o = object(input, 'agent');
  const channels = o.channels === undefined ? {} : object(o.channels, 'channels');
  if (channels.voice !== undefined && channels.voice !== 1) throw new AcdError('invalid', 'channels.voice must be 1 (one call at a time)');
  const id = text(o.id, 'id');
  return {
    id,
    name: text(o.name, 'name', id),
    extension: text(o.extension, 'extension'),
    groups: texts(o.groups, 'groups'),
    skills: levels(o.skills, 'skills', 1),
    channels: { voice: 1, chat: count(channels.chat, 'channels.chat', 0, 100) },
  };
}

function overflowTarget(input: unknown): OverflowTarget {
  const o = object(input, 'overflow.target');
  switch (o.kind) {
    case 'queue':
      return { kind: 'queue', queue: text(o.queue, 'overflow.target.queue') };
    case 'number':
      return { kind: 'number', number: text(o.number, 'overflow.target.number') };
    case 'voicemail':
      return { kind: 'voicemail', box: text(o.box, 'overflow.target.box') };
    default:
      throw new AcdError('invalid', 'overflow.target.kind must be queue, number or voicemail');
  }
}

export function queueConfig(input: unknown): QueueConfig {
  const o = object(input, 'queue');
  const strategy = (o.strategy ?? 'longest-idle') as Strategy;
  if (!STRATEGIES.includes(strategy)) throw new AcdError('invalid', `strategy must be one of ${STRATEGIES.join(', ')}`);
  const overflow = o.overflow === undefined || o.overflow === null ? null : object(o.overflow, 'overflow');
  const callback = o.callback === undefined ? {} : object(o.callback, 'callback');
  const announce = o.announce === undefined || o.announce === null ? null : object(o.announce, 'announce');
  const mode = callback.mode ?? 'manual';
  if (mode !== 'manual' && mode !== 'automatic') throw new AcdError('invalid', 'callback.mode must be manual or automatic');
  if (callback.priority !== undefined && !Number.isInteger(callback.priority)) throw new AcdError('invalid', 'callback.priority must be an integer');
  const id = text(o.id, 'id');
  return {
    id,
    name: text(o.name, 'name', id),
    groups: texts(o.groups, 'groups'),
    strategy,
    requiredSkills: levels(o.requiredSkills, 'requiredSkills', 1),
    maxWaitMs: count(o.maxWaitMs, 'maxWaitMs', 0),
    maxLength: count(o.maxLength, 'maxLength', 0),
    serviceLevelMs: count(o.serviceLevelMs, 'serviceLevelMs', 20_000),
    wrapUpMs: count(o.wrapUpMs, 'wrapUpMs', 10_000),
    ringTimeoutMs: count(o.ringTimeoutMs, 'ringTimeoutMs', 15_000) || 15_000,
    overflow: overflow && {
      target: overflowTarget(overflow.target),
      afterMs: count(overflow.afterMs, 'overflow.afterMs', 0),
      whenNoAgents: overflow.whenNoAgents === true,
    },
    announce: announce && {
      everyMs: Math.max(1000, count(announce.everyMs, 'announce.everyMs', 30_000)),
      position: flag(announce.position, 'announce.position'),
      waitTime: flag(announce.waitTime, 'announce.waitTime'),
    },
    callbackOfferAfterMs: count(o.callbackOfferAfterMs, 'callbackOfferAfterMs', 0),
    callback: {
      mode,
      priority: (callback.priority as number | undefined) ?? -10,
      retryDelayMs: count(callback.retryDelayMs, 'callback.retryDelayMs', 300_000),
      maxAttempts: count(callback.maxAttempts, 'callback.maxAttempts', 3, 100),
    },
  };
}

// Display helpers shared by the screens.
import type { AgentState, AgentView } from './types';

export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

export function percent(part: number, whole: number): string {
  return whole > 0 ? `${Math.round((100 * part) / whole)} %` : '—';
}

export function ratioText(value: number | null, unit: 'percent' | 'duration'): string {
  if (value === null || !Number.isFinite(value)) return '—';
  return unit === 'percent' ? `${Math.round(value * 100)} %` : duration(value);
}

export const STATE_LABEL: Record<AgentState, string> = {
  available: 'On line',
  'on-call': 'On a call',
  'wrap-up': 'Wrap-up',
  break: 'Break',
  outbound: 'Outbound',
  dnd: 'Do not disturb',
  offline: 'Offline',
};

/** Preset reasons offered for each state an agent may choose. */
export const STATE_REASONS: Partial<Record<AgentState, string[]>> = {
  break: ['lunch', 'rest', 'training', 'meeting'],
  dnd: ['paperwork', 'personal'],
  outbound: ['campaign', 'callbacks'],
};

/** What the agent is doing: talking, ringing, free or busy (nothing while logged out). */
export function activityLabel(a: AgentView): string {
  if (a.state === 'offline') return '—';
  return a.ringing ? 'ringing' : a.activity;
}

export function time(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

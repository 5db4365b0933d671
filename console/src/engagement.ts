// The shapes of the gamification and alert API (engine/api/gamification-routes.ts,
// engine/api/alert-routes.ts) as the console uses them, and how a badge is shown.
import type { StreamEvent } from './types';

export interface Grant {
  achievementId: string;
  name: string;
  agentId: string;
  period: 'day' | 'week';
  periodStart: number;
  at: number;
  detail: Record<string, number>;
}

/** On course for an achievement in the current day or week (not granted yet). */
export interface Standing {
  achievementId: string;
  name: string;
  agentId: string;
}

export interface QuestDef {
  id: string;
  name: string;
  description: string;
  reward: string;
  steps: { event: string; label: string }[];
}

export interface QuestProgress {
  questId: string;
  agentId: string;
  steps: number[];
  completedAt: number | null;
}

export interface Alert {
  id: string;
  name: string;
  kpi: string;
  op: string;
  threshold: number;
  queueId?: string;
  agentId?: string;
  value: number | null;
  firedAt: number;
  clearedAt: number | null;
}

// Symbols from the common text fonts (a TV or kiosk browser may have no colour-emoji font).
const ICONS: Record<string, string> = { sprinter: '⚡', goalkeeper: '✪', speaker: '☎', librarian: '✎' };
export const badgeIcon = (achievementId: string) => ICONS[achievementId] ?? '★';

export const touchesGrants = (e: StreamEvent) => e.type === 'achievement.granted';
export const touchesQuests = (e: StreamEvent) => e.type === 'quest.progress';
export const touchesAlerts = (e: StreamEvent) => e.type.startsWith('alert.');

/** Midnight UTC `days` days ago: grants are judged per UTC day. */
export const daysAgo = (days: number) => new Date().setUTCHours(0, 0, 0, 0) - days * 86_400_000;

/** "Sprinter ×3" per achievement, from a list of grants. */
export function tally(grants: Grant[]): { achievementId: string; name: string; count: number }[] {
  const byId = new Map<string, { achievementId: string; name: string; count: number }>();
  for (const g of grants) {
    const t = byId.get(g.achievementId) ?? byId.set(g.achievementId, { achievementId: g.achievementId, name: g.name, count: 0 }).get(g.achievementId)!;
    t.count++;
  }
  return [...byId.values()];
}

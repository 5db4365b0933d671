// Call shapes as hear sets (DESIGN.md, "Mixing, and what supervisors need from it").
// Switching between them is one setHearSets call: no re-INVITE, no gap.

export type MixMode = 'bridge' | 'listen' | 'whisper' | 'barge';

export const MIX_MODES: readonly MixMode[] = ['bridge', 'listen', 'whisper', 'barge'];

export interface MixRoles<T> {
  agent: T;
  client: T;
  /** Absent: a two-party call (every mode then is the bridge). */
  supervisor?: T;
}

/**
 * Who hears whom:
 * - bridge: agent ↔ client; a supervisor hears nothing and is not heard
 * - listen: agent ↔ client; the supervisor hears both, nobody hears the supervisor
 * - whisper: agent hears client and supervisor; client hears only the agent; supervisor hears both
 * - barge: everyone hears everyone
 */
export function hearSets<T>(mode: MixMode, roles: MixRoles<T>): Array<[T, T[]]> {
  const { agent, client, supervisor } = roles;
  if (!MIX_MODES.includes(mode)) throw new RangeError(`mode must be one of ${MIX_MODES.join(', ')}, got ${String(mode)}`);
  if (agent === undefined || client === undefined) throw new TypeError('roles need an agent and a client');
  if (supervisor === undefined) return [[agent, [client]], [client, [agent]]];
  switch (mode) {
    case 'bridge':
      return [[agent, [client]], [client, [agent]], [supervisor, []]];
    case 'listen':
      return [[agent, [client]], [client, [agent]], [supervisor, [agent, client]]];
    case 'whisper':
      return [[agent, [client, supervisor]], [client, [agent]], [supervisor, [agent, client]]];
    case 'barge':
      return [[agent, [client, supervisor]], [client, [agent, supervisor]], [supervisor, [agent, client]]];
  }
}

/** A conference: every member hears every other member. */
export function everyoneHearsEveryone<T>(members: T[]): Array<[T, T[]]> {
  return members.map((m) => [m, members.filter((x) => x !== m)]);
}

// Who a token speaks for. Plain types, shared with the web console (console/src/types.ts).
export type Role = 'agent' | 'supervisor' | 'admin';

export interface Principal {
  role: Role;
  name: string;
  /** For agents: the agent they are. */
  agentId?: string;
  /** For supervisors: the groups they see and manage. */
  groups?: string[];
  /** For supervisors: the phone (SIP user) the engine rings to join an agent's call. */
  extension?: string;
}

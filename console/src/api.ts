// REST calls with the session's bearer token, and the session kept across reloads.
import type { Principal } from './types';

export interface Session {
  token: string;
  principal: Principal;
}

const KEY = 'switchyard.session';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function request<T>(token: string | null, method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data?.error ?? 'http', data?.message ?? `HTTP ${res.status}`);
  return data as T;
}

/** Agents log in with their SIP extension and password. */
export async function agentLogin(extension: string, password: string): Promise<Session> {
  const { token } = await request<{ token: string }>(null, 'POST', '/api/session', { extension, password });
  return { token, principal: await request<Principal>(token, 'GET', '/api/me') };
}

/** Supervisors and admins use a configured token. */
export async function tokenLogin(token: string): Promise<Session> {
  return { token, principal: await request<Principal>(token, 'GET', '/api/me') };
}

export function loadSession(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) localStorage.setItem(KEY, JSON.stringify(session));
  else localStorage.removeItem(KEY);
}

// The small contact centre the API and console tests run against: support (Anna, Boris) and
// sales (Sergei), an admin token and a supervisor token for support, on free ports.
import { defaultConfig, type Config } from '../../engine/config.js';

export function acdTestConfig(dataDir: string): Config {
  const c = defaultConfig();
  c.sip.port = 0;
  c.http.port = 0;
  c.dataDir = dataDir;
  c.logLevel = 'silent';
  // Test phones dial without credentials; test/integration/invite-auth.test.ts turns this on.
  c.auth.invites.challenge = false;
  c.acd.agents = [
    { id: 'a1', name: 'Anna', extension: '1001', groups: ['support'] },
    { id: 'a2', name: 'Boris', extension: '1002', groups: ['support'] },
    { id: 's1', name: 'Sergei', extension: '1006', groups: ['sales'] },
  ];
  c.acd.queues = [
    { id: 'support', groups: ['support'], wrapUpMs: 0, ringTimeoutMs: 2000 },
    { id: 'sales', groups: ['sales'] },
  ];
  c.acd.tokens = [
    { token: 'admin-token', role: 'admin', name: 'root' },
    { token: 'sup-token', role: 'supervisor', name: 'Olga', groups: ['support'] },
  ];
  return c;
}

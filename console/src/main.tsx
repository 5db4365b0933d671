// The console: log in, then the screens the role may see. Routes are real paths (/agent,
// /supervisor, /wallboard); the engine answers them all with index.html.
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { loadSession, request, saveSession, type Session } from './api';
import { LiveStream, type Link } from './live';
import { AgentWindow } from './screens/AgentWindow';
import { Dashboard } from './screens/Dashboard';
import { AlertBanner } from './screens/AlertBanner';
import { Login } from './screens/Login';
import { Supervisor } from './screens/Supervisor';
import { Wallboard } from './screens/Wallboard';
import type { Role } from './types';
import './styles.css';

interface Screen {
  path: string;
  title: string;
  roles: Role[];
}

const SCREENS: Screen[] = [
  { path: '/agent', title: 'My window', roles: ['agent'] },
  { path: '/supervisor', title: 'Workplace', roles: ['supervisor', 'admin'] },
  { path: '/wallboard', title: 'Wallboard', roles: ['supervisor', 'admin'] },
  { path: '/kpi', title: 'KPIs', roles: ['supervisor', 'admin'] },
];

function go(path: string): void {
  history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}

function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const f = () => setPath(location.pathname);
    addEventListener('popstate', f);
    return () => removeEventListener('popstate', f);
  }, []);
  return path;
}

function App() {
  const [session, setSession] = useState<Session | null>(loadSession());
  const path = usePath();
  const login = (s: Session) => {
    saveSession(s);
    setSession(s);
    go(SCREENS.find((x) => x.roles.includes(s.principal.role))!.path);
  };
  const logout = () => {
    if (session?.principal.role === 'agent') request(session.token, 'DELETE', '/api/session').catch(() => {});
    saveSession(null);
    setSession(null);
    go('/login');
  };
  if (!session) return <Login onLogin={login} />;
  return <Shell session={session} path={path} onLogout={logout} />;
}

function Shell({ session, path, onLogout }: { session: Session; path: string; onLogout: () => void }) {
  const stream = useMemo(() => new LiveStream(session.token), [session.token]);
  const [link, setLink] = useState<Link>(stream.link);
  useEffect(() => {
    stream.onLink = setLink;
    // The stream may have opened between the first render and this effect, while nobody
    // listened: take its state as it is now, or the bar would say "connecting" for good.
    setLink(stream.link);
    return () => stream.close();
  }, [stream]);
  // A session the engine no longer knows (restart, expiry) goes back to the login; while the
  // stream is down (a stream refused for its token just stays down), ask every few seconds.
  useEffect(() => {
    const check = () => request(session.token, 'GET', '/api/me').catch((e) => e.status === 401 && onLogout());
    check();
    if (link !== 'offline') return;
    const timer = setInterval(check, 5000);
    return () => clearInterval(timer);
  }, [session.token, link]);

  const role = session.principal.role;
  const allowed = SCREENS.filter((s) => s.roles.includes(role));
  const screen = SCREENS.find((s) => s.path === path) ?? allowed[0];
  const permitted = screen.roles.includes(role);
  const fullScreen = screen.path === '/wallboard' && permitted;
  return (
    <div class={fullScreen ? 'shell full' : 'shell'}>
      <header class="bar">
        <strong>Switchyard</strong>
        <nav>
          {allowed.map((s) => (
            <a href={s.path} class={s === screen ? 'active' : ''} onClick={(e) => (e.preventDefault(), go(s.path))}>
              {s.title}
            </a>
          ))}
        </nav>
        <span class={`link ${link}`} title="event stream">{link}</span>
        <span class="who">
          {session.principal.name} ({role})
        </span>
        <button onClick={onLogout}>Log out</button>
      </header>
      {role !== 'agent' && <AlertBanner session={session} stream={stream} />}
      <main>
        {!permitted ? (
          <p class="forbidden" role="alert">
            This screen is not available to your role.
          </p>
        ) : screen.path === '/agent' ? (
          <AgentWindow session={session} stream={stream} />
        ) : screen.path === '/supervisor' ? (
          <Supervisor session={session} stream={stream} />
        ) : screen.path === '/kpi' ? (
          <Dashboard session={session} stream={stream} />
        ) : (
          <Wallboard session={session} stream={stream} />
        )}
      </main>
    </div>
  );
}

render(<App />, document.getElementById('app')!);

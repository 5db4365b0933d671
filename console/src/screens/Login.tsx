// Agents log in with their SIP extension and password; supervisors and admins with a token.
import { useState } from 'preact/hooks';
import { agentLogin, tokenLogin, type Session } from '../api';

export function Login({ onLogin }: { onLogin: (s: Session) => void }) {
  const [error, setError] = useState('');
  const attempt = (e: Event, login: () => Promise<Session>) => {
    e.preventDefault();
    setError('');
    login().then(onLogin, (err: Error) => setError(err.message));
  };
  const [extension, setExtension] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  return (
    <div class="login">
      <h1>Switchyard console</h1>
      <form onSubmit={(e) => attempt(e, () => agentLogin(extension, password))}>
        <h2>Agent</h2>
        <label>
          Extension <input name="extension" value={extension} onInput={(e) => setExtension(e.currentTarget.value)} autocomplete="username" />
        </label>
        <label>
          Password <input name="password" type="password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} autocomplete="current-password" />
        </label>
        <button type="submit">Log in as agent</button>
      </form>
      <form onSubmit={(e) => attempt(e, () => tokenLogin(token))}>
        <h2>Supervisor or admin</h2>
        <label>
          Token <input name="token" type="password" value={token} onInput={(e) => setToken(e.currentTarget.value)} />
        </label>
        <button type="submit">Log in with token</button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

import { useState, type FormEvent } from 'react';
import { api, session } from '../lib/api';
import { ErrorMessage, Field } from '../ui';

/** Sign in or create an account; the token it gets is kept in memory, the session cookie lets a reload sign in again. */
export function SignIn() {
  const [mode, setMode] = useState<'in' | 'up'>('in');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      if (mode === 'up') {
        await api('POST', '/api/v1/auth/register', { email, password });
      }
      await session.start(email, password);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="signin">
      <h1>OrleansMock</h1>
      <p className="muted">Mock APIs and API testing.</p>
      <form onSubmit={submit} aria-label={mode === 'in' ? 'Sign in' : 'Sign up'}>
        <h2>{mode === 'in' ? 'Sign in' : 'Create an account'}</h2>
        <Field label="Email">{(id) => <input id={id} type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />}</Field>
        <Field label="Password" hint={mode === 'up' ? 'At least 8 characters, 4 of them different' : undefined}>
          {(id) => <input id={id} type="password" autoComplete={mode === 'in' ? 'current-password' : 'new-password'} required value={password} onChange={(e) => setPassword(e.target.value)} />}
        </Field>
        <ErrorMessage error={error} />
        <button type="submit" disabled={busy}>{mode === 'in' ? 'Sign in' : 'Sign up'}</button>
      </form>
      <p>
        {mode === 'in' ? 'No account yet? ' : 'Have an account? '}
        <button type="button" className="link" onClick={() => { setMode(mode === 'in' ? 'up' : 'in'); setError(undefined); }}>
          {mode === 'in' ? 'Sign up' : 'Sign in'}
        </button>
      </p>
    </main>
  );
}

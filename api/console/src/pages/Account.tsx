import { useState, type FormEvent } from 'react';
import { api, type ApiKey } from '../lib/api';
import { CopyButton, ErrorMessage, Field, formatTime, useConfirm, useLoad } from '../ui';

/** The account: who is signed in, and API keys (a new key is shown once). */
export function Account() {
  const me = useLoad(() => api<{ email: string; id?: string; userId?: string }>('GET', '/api/v1/auth/me'), []);
  const keys = useLoad(() => api<{ items: ApiKey[] }>('GET', '/api/v1/auth/keys'), []);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<ApiKey>();
  const [error, setError] = useState<unknown>();
  const [confirm, dialog] = useConfirm();

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      setCreated(await api<ApiKey>('POST', '/api/v1/auth/keys', { name }));
      setName('');
      keys.reload();
    } catch (caught) {
      setError(caught);
    }
  };

  const revoke = async (key: ApiKey) => {
    if (!(await confirm(`Revoke the key "${key.name}"? Programs using it stop working.`))) return;
    try {
      await api('DELETE', `/api/v1/auth/keys/${encodeURIComponent(key.id)}`);
      if (created?.id === key.id) setCreated(undefined);
      keys.reload();
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <section aria-labelledby="account-title">
      <h1 id="account-title">Account</h1>
      {me.data && <p>Signed in as <strong>{me.data.email}</strong></p>}
      <h2>API keys</h2>
      <p className="muted">Send a key as <code>X-Api-Key</code>, or as the password of HTTP Basic for WireMock clients.</p>
      <form className="row wrap" onSubmit={create} aria-label="Create an API key">
        <Field label="Key name">{(id) => <input id={id} required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />}</Field>
        <button type="submit">Create key</button>
      </form>
      {created?.key && (
        <div className="notice" role="status">
          <p>Your new key <strong>{created.name}</strong>. It is shown only now: copy it.</p>
          <div className="row wrap"><code className="secret" data-testid="new-key">{created.key}</code><CopyButton text={created.key} label="Copy key" /></div>
        </div>
      )}
      <ErrorMessage error={error ?? keys.error} />
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">API keys</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">Starts with</th><th scope="col">Created</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {(keys.data?.items ?? []).map((key) => (
              <tr key={key.id}>
                <td>{key.name}</td>
                <td><code>{key.prefix}</code></td>
                <td>{formatTime(key.createdAt)}</td>
                <td><button type="button" className="danger small" onClick={() => revoke(key)} aria-label={`Revoke ${key.name}`}>Revoke</button></td>
              </tr>
            ))}
            {keys.data && keys.data.items.length === 0 && <tr><td colSpan={4} className="muted">No keys yet.</td></tr>}
          </tbody>
        </table>
      </div>
      {dialog}
    </section>
  );
}

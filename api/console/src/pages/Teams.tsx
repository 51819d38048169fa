import { useState, type FormEvent } from 'react';
import { api } from '../lib/api';
import { CopyButton, ErrorMessage, Field, formatTime, useConfirm, useLoad } from '../ui';

export interface Team { id: string; name: string; role: 'owner' | 'editor' | 'viewer'; createdAt: string }
interface Member { userId: string; email: string; role: string }
interface Invitation { token: string; email: string; role: string; expiresAt: string }

const roles = ['owner', 'editor', 'viewer'] as const;

/** The caller's teams: create one, accept an invitation, and for each team its members, their roles and invitations. */
export function Teams() {
  const teams = useLoad(() => api<{ items: Team[] }>('GET', '/api/v1/teams'), []);
  const [name, setName] = useState('');
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>();
  const [open, setOpen] = useState<string>();

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      const team = await api<Team>('POST', '/api/v1/teams', { name });
      setName('');
      teams.reload();
      setOpen(team.id);
    } catch (caught) {
      setError(caught);
    }
  };

  const accept = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      const team = await api<Team>('POST', `/api/v1/invitations/${encodeURIComponent(token.trim())}/accept`);
      setToken('');
      teams.reload();
      setOpen(team.id);
    } catch (caught) {
      setError(caught);
    }
  };

  const items = teams.data?.items ?? [];
  return (
    <section aria-labelledby="teams-title" className="stack">
      <h1 id="teams-title">Teams</h1>
      <p className="muted">A team owns projects its members share: owners manage members, editors change what projects define, viewers read.</p>
      <div className="row wrap">
        <form className="row wrap" onSubmit={create} aria-label="Create a team">
          <Field label="Team name">{(id) => <input id={id} required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />}</Field>
          <button type="submit">Create team</button>
        </form>
        <form className="row wrap" onSubmit={accept} aria-label="Accept an invitation">
          <Field label="Invitation token">{(id) => <input id={id} required value={token} onChange={(e) => setToken(e.target.value)} />}</Field>
          <button type="submit" className="secondary">Accept invitation</button>
        </form>
      </div>
      <ErrorMessage error={error ?? teams.error} />
      {teams.data && items.length === 0 && <p className="muted">No teams yet.</p>}
      <ul className="cards" aria-label="Your teams">
        {items.map((team) => (
          <li key={team.id} className="card stack">
            <div className="row wrap">
              <h2>{team.name}</h2>
              <span className="badge" data-testid={`team-role-${team.name}`}>{team.role}</span>
              <button type="button" className="secondary small" aria-expanded={open === team.id} onClick={() => setOpen(open === team.id ? undefined : team.id)}>
                {open === team.id ? 'Hide members' : 'Members'}
              </button>
            </div>
            {open === team.id && <TeamMembers team={team} />}
          </li>
        ))}
      </ul>
    </section>
  );
}

function TeamMembers({ team }: { team: Team }) {
  const base = `/api/v1/teams/${encodeURIComponent(team.id)}`;
  const members = useLoad(() => api<{ items: Member[] }>('GET', `${base}/members`), [base]);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<string>('editor');
  const [invitation, setInvitation] = useState<Invitation>();
  const [error, setError] = useState<unknown>();
  const [confirm, dialog] = useConfirm();
  const owner = team.role === 'owner';

  const invite = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      setInvitation(await api<Invitation>('POST', `${base}/invitations`, { email, role }));
      setEmail('');
    } catch (caught) {
      setError(caught);
    }
  };

  const change = async (member: Member, next: string) => {
    setError(undefined);
    try {
      await api('PATCH', `${base}/members/${encodeURIComponent(member.userId)}`, { role: next });
      members.reload();
    } catch (caught) {
      setError(caught);
    }
  };

  const remove = async (member: Member) => {
    if (!(await confirm(`Remove ${member.email} from ${team.name}? They lose access to the team's projects at once.`))) return;
    setError(undefined);
    try {
      await api('DELETE', `${base}/members/${encodeURIComponent(member.userId)}`);
      members.reload();
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <div className="stack">
      <ErrorMessage error={members.error ?? error} />
      <div className="table-wrap">
        <table aria-label={`Members of ${team.name}`}>
          <thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col"></th></tr></thead>
          <tbody>
            {(members.data?.items ?? []).map((m) => (
              <tr key={m.userId}>
                <th scope="row">{m.email}</th>
                <td>
                  {owner
                    ? <select aria-label={`Role of ${m.email}`} value={m.role} onChange={(e) => void change(m, e.target.value)}>{roles.map((r) => <option key={r} value={r}>{r}</option>)}</select>
                    : m.role}
                </td>
                <td>{owner && <button type="button" className="secondary small" aria-label={`Remove ${m.email}`} onClick={() => void remove(m)}>Remove</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {owner && (
        <form className="row wrap" onSubmit={invite} aria-label={`Invite to ${team.name}`}>
          <Field label="Email to invite">{(id) => <input id={id} type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />}</Field>
          <Field label="Role">{(id) => <select id={id} value={role} onChange={(e) => setRole(e.target.value)}>{roles.map((r) => <option key={r} value={r}>{r}</option>)}</select>}</Field>
          <button type="submit">Invite</button>
        </form>
      )}
      {invitation && (
        <div className="card" role="status">
          <p>Invitation for <strong>{invitation.email}</strong> as {invitation.role}, valid until {formatTime(invitation.expiresAt)}. Send them this token; they accept it here, signed in with that email:</p>
          <div className="row wrap"><code className="url" data-testid="invitation-token">{invitation.token}</code><CopyButton text={invitation.token} label="Copy token" /></div>
        </div>
      )}
      {dialog}
    </div>
  );
}

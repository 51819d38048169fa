import { useState, type FormEvent } from 'react';
import { api, canEdit, isOwner, type Project } from '../lib/api';
import type { Team } from './Teams';
import { navigate } from '../lib/route';
import { CopyButton, ErrorMessage, Field, useConfirm, useLoad } from '../ui';
import { Endpoints } from './Endpoints';
import { Resources } from './Resources';
import { RequestLog } from './RequestLog';
import { Scenarios } from './Scenarios';
import { Transfer } from './Transfer';
import { Recording } from './Recording';
import { Webhooks } from './Webhooks';
import { Sessions } from './Sessions';
import { GraphQl } from './GraphQl';
import { History } from './History';

const tabs = [
  ['endpoints', 'Endpoints'],
  ['resources', 'Resources'],
  ['graphql', 'GraphQL'],
  ['requests', 'Request log'],
  ['scenarios', 'Scenarios'],
  ['sessions', 'Test sessions'],
  ['history', 'History'],
  ['webhooks', 'Webhooks'],
  ['recording', 'Recording'],
  ['transfer', 'Import & export'],
  ['settings', 'Settings'],
] as const;

/** One project: its mock URL and a tab per part. */
export function ProjectPage({ slug, tab }: { slug: string; tab: string }) {
  const project = useLoad(() => api<Project>('GET', `/api/v1/projects/${encodeURIComponent(slug)}`), [slug]);
  if (project.error) return <ErrorMessage error={project.error} />;
  if (!project.data) return <p aria-busy="true">Loading…</p>;
  const p = project.data;
  return (
    <section aria-labelledby="project-title">
      <p><a href="#/projects">← Projects</a></p>
      <h1 id="project-title">{p.name}</h1>
      <div className="row wrap">
        <span className="muted">Mock base URL</span>
        <code className="url" data-testid="mock-url">{p.mockUrl}</code>
        <CopyButton text={p.mockUrl} label="Copy mock URL" />
      </div>
      {p.role === 'viewer' && <p className="card" role="note">You are a viewer of this team project: you can read everything and change nothing.</p>}
      {p.teamId && p.role !== 'viewer' && <p className="muted">A team project; your role: <span className="badge">{p.role}</span></p>}
      <nav className="tabs" aria-label="Project">
        {tabs.map(([key, label]) => (
          <a key={key} href={`#/projects/${encodeURIComponent(p.slug)}/${key}`} aria-current={tab === key ? 'page' : undefined}>{label}</a>
        ))}
      </nav>
      {tab === 'endpoints' && <Endpoints project={p} />}
      {tab === 'resources' && <Resources project={p} />}
      {tab === 'graphql' && <GraphQl project={p} />}
      {tab === 'requests' && <RequestLog project={p} />}
      {tab === 'scenarios' && <Scenarios project={p} />}
      {tab === 'sessions' && <Sessions project={p} />}
      {tab === 'history' && <History project={p} canEdit={canEdit(p)} />}
      {tab === 'recording' && <Recording project={p} />}
      {tab === 'webhooks' && <Webhooks project={p} />}
      {tab === 'transfer' && <Transfer project={p} />}
      {tab === 'settings' && <Settings project={p} onChange={(changed) => (changed.slug !== p.slug ? navigate(`projects/${changed.slug}/settings`) : project.set(changed))} />}
    </section>
  );
}

function Settings({ project, onChange }: { project: Project; onChange: (project: Project) => void }) {
  const [name, setName] = useState(project.name);
  const [slug, setSlug] = useState(project.slug);
  const [isPrivate, setPrivate] = useState(project.private);
  const [rateLimit, setRateLimit] = useState(project.rateLimit ? String(project.rateLimit) : '');
  const [cors, setCors] = useState(project.cors);
  const [foreignKeySuffix, setForeignKeySuffix] = useState(project.foreignKeySuffix ?? 'Id');
  const [proxyUrl, setProxyUrl] = useState(project.proxy?.baseUrl ?? '');
  const [stripPrefix, setStripPrefix] = useState(project.proxy?.stripPrefix ?? '');
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  const [confirm, dialog] = useConfirm();

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setSaved(false);
    try {
      const changed = await api<Project>('PATCH', `/api/v1/projects/${encodeURIComponent(project.id)}`, {
        name, slug, private: isPrivate, rateLimit: rateLimit.trim() === '' ? 0 : Number(rateLimit), cors, foreignKeySuffix,
        // An empty base URL removes the fallback; headers set through the API are kept.
        proxy: { baseUrl: proxyUrl.trim(), headers: project.proxy?.headers, stripPrefix: stripPrefix.trim() || undefined },
      });
      setSaved(true);
      onChange(changed);
    } catch (caught) {
      setError(caught);
    }
  };

  const remove = async () => {
    if (!(await confirm(`Delete the project "${project.name}" with all its endpoints, resources and records? This cannot be undone.`))) return;
    try {
      await api('DELETE', `/api/v1/projects/${encodeURIComponent(project.id)}`);
      navigate('projects');
    } catch (caught) {
      setError(caught);
    }
  };

  const editable = canEdit(project);
  const owner = isOwner(project);
  return (
    <div>
      <form onSubmit={save} aria-label="Project settings" className="stack">
        <fieldset disabled={!editable} className="stack plain">
        <Field label="Name">{(id) => <input id={id} required value={name} onChange={(e) => setName(e.target.value)} />}</Field>
        <Field label="Slug" hint={owner ? 'Changing it changes the mock URL' : 'The team\'s owners change the slug'}>
          {(id) => <input id={id} required disabled={!owner} value={slug} onChange={(e) => setSlug(e.target.value)} />}
        </Field>
        <label className="check"><input type="checkbox" checked={isPrivate} disabled={!owner} onChange={(e) => setPrivate(e.target.checked)} /> Private: only {project.teamId ? 'the team\'s members' : 'you'} (with {project.teamId ? 'their' : 'your'} key or token) may call the mock</label>
        <Field label="Rate limit (requests per window, empty for the default)">
          {(id) => <input id={id} inputMode="numeric" pattern="[0-9]*" value={rateLimit} onChange={(e) => setRateLimit(e.target.value)} />}
        </Field>
        <label className="check"><input type="checkbox" checked={cors} onChange={(e) => setCors(e.target.checked)} /> CORS: answer browsers' preflight requests and allow any origin to read the mock's answers</label>
        <Field label="Foreign-key suffix" hint="How resources link: with Id, a comment's postId points at a post (json-server's --fks)">
          {(id) => <input id={id} value={foreignKeySuffix} onChange={(e) => setForeignKeySuffix(e.target.value)} />}
        </Field>
        <fieldset className="stack">
          <legend>Proxy fallback</legend>
          <p className="muted small-text">What no endpoint or resource answers is forwarded to this real API (empty: answered 404).</p>
          <Field label="Fallback base URL">{(id) => <input id={id} type="url" value={proxyUrl} placeholder="https://api.example.com" onChange={(e) => setProxyUrl(e.target.value)} />}</Field>
          <Field label="Strip this path prefix before forwarding">{(id) => <input id={id} value={stripPrefix} placeholder="/v2" onChange={(e) => setStripPrefix(e.target.value)} />}</Field>
        </fieldset>
        </fieldset>
        <ErrorMessage error={error} />
        {saved && <p role="status">Saved.</p>}
        {editable && <div className="row"><button type="submit">Save</button></div>}
      </form>
      <Usage project={project} />
      {!project.teamId && <MoveToTeam project={project} onMoved={onChange} />}
      {owner && <>
        <h2>Danger zone</h2>
        <button type="button" className="danger" onClick={remove}>Delete project</button>
      </>}
      {dialog}
    </div>
  );
}

/** Moves a personal project to one of the caller's teams (where they are an owner or editor). */
function MoveToTeam({ project, onMoved }: { project: Project; onMoved: (project: Project) => void }) {
  const teams = useLoad(() => api<{ items: Team[] }>('GET', '/api/v1/teams'), []);
  const [teamId, setTeamId] = useState('');
  const [error, setError] = useState<unknown>();
  const [confirm, dialog] = useConfirm();
  const choices = (teams.data?.items ?? []).filter((t) => t.role !== 'viewer');
  if (choices.length === 0) return null;
  const chosen = choices.find((t) => t.id === teamId) ?? choices[0];
  const move = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    if (!(await confirm(`Move "${project.name}" to the team ${chosen.name}? The team will own it: its members get their roles, its owners alone delete it, and it counts against the team's quotas.`))) return;
    try {
      onMoved(await api<Project>('POST', `/api/v1/projects/${encodeURIComponent(project.id)}/transfer`, { teamId: chosen.id }));
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <form onSubmit={move} aria-label="Move to a team" className="stack">
      <h2>Move to a team</h2>
      <Field label="Team">
        {(id) => <select id={id} value={chosen.id} onChange={(e) => setTeamId(e.target.value)}>{choices.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}</select>}
      </Field>
      <ErrorMessage error={error} />
      <div className="row"><button type="submit" className="secondary">Move to team</button></div>
      {dialog}
    </form>
  );
}

interface UsageValue { used: number; limit: number }
interface Usage {
  endpoints: UsageValue; endpointBytes: UsageValue; resources: UsageValue; accountBytes: UsageValue;
  resourceRecords: { name: string; records: UsageValue; bytes: UsageValue }[];
}

/** What the project holds against its budgets (past a limit, a change that grows it is refused). */
function Usage({ project }: { project: Project }) {
  const usage = useLoad(() => api<Usage>('GET', `/api/v1/projects/${encodeURIComponent(project.id)}/usage`), [project.id]);
  const u = usage.data;
  const row = (label: string, value: UsageValue, bytes = false) => {
    const show = (n: number) => (bytes ? `${(n / 1024).toFixed(n < 10240 ? 1 : 0)} KB` : String(n));
    return <tr key={label}><th scope="row">{label}</th><td>{show(value.used)} of {show(value.limit)}</td><td><meter min={0} max={value.limit} value={value.used} aria-label={`${label} used`} /></td></tr>;
  };
  return (
    <section aria-labelledby="usage-title">
      <h2 id="usage-title">Usage</h2>
      <ErrorMessage error={usage.error} />
      {u && (
        <div className="table-wrap">
          <table aria-label="Usage">
            <tbody>
              {row('Endpoints', u.endpoints)}
              {row('Endpoint definitions', u.endpointBytes, true)}
              {row('Resources', u.resources)}
              {u.resourceRecords.map((r) => row(`Records of ${r.name}`, r.records))}
              {row('Your account, all projects', u.accountBytes, true)}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

import { useState, type FormEvent } from 'react';
import { api, type Project } from '../lib/api';
import { navigate } from '../lib/route';
import { CopyButton, ErrorMessage, Field, formatTime, useLoad } from '../ui';

const pageSize = 20;

/** The signed-in user's projects, newest first, a page at a time; and a form to create one. */
export function Projects() {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const list = useLoad(() => api<{ items: Project[]; nextCursor?: string }>('GET', `/api/v1/projects?limit=${pageSize}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`), [cursor]);
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [teamId, setTeamId] = useState('');
  const teams = useLoad(() => api<{ items: { id: string; name: string; role: string }[] }>('GET', '/api/v1/teams'), []);
  const [error, setError] = useState<unknown>();

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      const project = await api<Project>('POST', '/api/v1/projects', { name, slug: slug.trim() || undefined, teamId: teamId || undefined });
      navigate(`projects/${project.slug}/endpoints`);
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <section aria-labelledby="projects-title">
      <h1 id="projects-title">Projects</h1>
      <form className="row wrap" onSubmit={create} aria-label="Create a project">
        <Field label="Name">{(id) => <input id={id} required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />}</Field>
        <Field label="Slug (optional)" hint="Part of the mock URL: /m/slug">{(id) => <input id={id} maxLength={64} value={slug} onChange={(e) => setSlug(e.target.value)} />}</Field>
        {(teams.data?.items ?? []).some((t) => t.role !== 'viewer') && (
          <Field label="Owner">{(id) => (
            <select id={id} value={teamId} onChange={(e) => setTeamId(e.target.value)}>
              <option value="">Me</option>
              {teams.data!.items.filter((t) => t.role !== 'viewer').map((t) => <option key={t.id} value={t.id}>Team {t.name}</option>)}
            </select>
          )}</Field>
        )}
        <button type="submit">Create project</button>
      </form>
      <ErrorMessage error={error ?? list.error} />
      <ul className="cards" aria-label="Your projects">
        {(list.data?.items ?? []).map((project) => (
          <li key={project.id} className="card">
            <h2><a href={`#/projects/${encodeURIComponent(project.slug)}/endpoints`}>{project.name}</a></h2>
            <p className="muted">
              {project.private ? 'Private' : 'Public'} · created {formatTime(project.createdAt)}
              {project.teamId && <> · team project, <span className="badge" data-testid={`role-${project.slug}`}>{project.role}</span></>}
            </p>
            <div className="row wrap"><code className="url">{project.mockUrl}</code><CopyButton text={project.mockUrl} label="Copy mock URL" /></div>
          </li>
        ))}
      </ul>
      {list.data && list.data.items.length === 0 && cursors.length === 1 && <p className="muted">No projects yet: create one above.</p>}
      <div className="row">
        <button type="button" className="secondary" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>Newer</button>
        <button type="button" className="secondary" disabled={!list.data?.nextCursor} onClick={() => setCursors([...cursors, list.data!.nextCursor])}>Older</button>
      </div>
    </section>
  );
}

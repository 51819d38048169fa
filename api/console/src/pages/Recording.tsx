import { useState, type FormEvent } from 'react';
import { api, canEdit, type Project, type RecordingStatus } from '../lib/api';
import { ErrorMessage, Field, formatTime, useLoad } from '../ui';

/** Record a real API: mock calls go to the target while recording, and each distinct request becomes an endpoint. */
export function Recording({ project }: { project: Project }) {
  const base = `/api/v1/projects/${encodeURIComponent(project.id)}/recordings`;
  const status = useLoad(() => api<RecordingStatus>('GET', `${base}/status`), [base]);
  const [target, setTarget] = useState('');
  const [sequence, setSequence] = useState(false);
  const [result, setResult] = useState<RecordingStatus>();
  const [error, setError] = useState<unknown>();

  const start = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setResult(undefined);
    try {
      status.set(await api<RecordingStatus>('POST', base, { targetBaseUrl: target, sequence }));
    } catch (caught) {
      setError(caught);
    }
  };

  const stop = async () => {
    setError(undefined);
    try {
      const stopped = await api<RecordingStatus>('POST', `${base}/stop`);
      setResult(stopped);
      status.set(stopped);
    } catch (caught) {
      setError(caught);
    }
  };

  const s = status.data;
  return (
    <div className="stack">
      <ErrorMessage error={status.error ?? error} />
      {s?.recording ? (
        <div className="card stack" role="status">
          <p>
            <strong>Recording</strong> {s.spec?.targetBaseUrl && <>from <code>{s.spec.targetBaseUrl}</code></>}
            {s.startedAt && <> since {formatTime(s.startedAt)}</>}: {s.requests} request{s.requests === 1 ? '' : 's'} so far.
          </p>
          <p className="muted">Send requests to <code>{project.mockUrl}</code>; each goes to the real API and its answer is kept.</p>
          <div className="row">
            <button type="button" className="secondary" onClick={() => status.reload()}>Refresh</button>
            {canEdit(project) && <button type="button" onClick={() => void stop()}>Stop recording</button>}
          </div>
        </div>
      ) : !canEdit(project) ? (
        <p className="muted">Not recording. A viewer cannot start a recording.</p>
      ) : (
        <form onSubmit={start} aria-label="Start a recording" className="stack">
          <p className="muted">While recording, every call to this project's mock URL is forwarded to the real API; each distinct request and its real answer becomes an endpoint.</p>
          <Field label="Real API base URL">{(id) => <input id={id} type="url" required value={target} placeholder="https://api.example.com" onChange={(e) => setTarget(e.target.value)} />}</Field>
          <label className="check"><input type="checkbox" checked={sequence} onChange={(e) => setSequence(e.target.checked)} /> Keep repeated requests as a sequence of answers</label>
          <div className="row"><button type="submit">Start recording</button></div>
        </form>
      )}
      {result && (
        <section aria-label="What the recording made" className="card">
          <h2>What the recording made</h2>
          {result.created.length + result.updated.length === 0 && <p>No endpoints: nothing was recorded.</p>}
          {result.created.length > 0 && <p>Created {result.created.length}: {result.created.map((id) => <code key={id}>{id} </code>)}</p>}
          {result.updated.length > 0 && <p>Updated {result.updated.length}: {result.updated.map((id) => <code key={id}>{id} </code>)}</p>}
          {result.skipped.length > 0 && <p>Skipped {result.skipped.length}: {result.skipped.join('; ')}</p>}
          <p><a href={`#/projects/${encodeURIComponent(project.slug)}/endpoints`}>See the endpoints</a></p>
        </section>
      )}
    </div>
  );
}

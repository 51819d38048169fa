// The console's only way to the server: the public /api/v1 API with a bearer token held in memory (never in storage),
// so no request carries a credential the page did not add itself. A reload or a second tab gets a new token from the
// session cookie (HttpOnly, SameSite=Strict, sent only to /api/v1/auth/session, spent only with the console's header):
// scripts never see it, and nothing but this page can buy a token with it.

export class ApiError extends Error {
  constructor(public status: number, public title: string, public detail?: string, public errors?: string[]) {
    super(detail ?? title);
  }
}

let token: string | null = null;
let restoring: Promise<boolean> | null = null;
const listeners = new Set<() => void>();
const consoleHeaders = { Accept: 'application/json', 'X-OrleansMock-Console': '1' };

export const session = {
  get token(): string | null {
    return token;
  },
  signIn(value: string) {
    token = value;
    listeners.forEach((l) => l());
  },
  /** Signs in with email and password; the server also sets the session cookie a reload uses. */
  async start(email: string, password: string): Promise<void> {
    const response = await fetch('/api/v1/auth/session', {
      method: 'POST', credentials: 'same-origin', body: JSON.stringify({ email, password }),
      headers: { ...consoleHeaders, 'Content-Type': 'application/json' },
    });
    const text = await response.text();
    if (!response.ok) throw problemOf({ status: response.status, headers: response.headers, text });
    session.signIn((JSON.parse(text) as { token: string }).token);
  },
  /** A new token from the session cookie (a reload, a second tab, an expired token); false when there is no session. */
  restore(): Promise<boolean> {
    restoring ??= (async () => {
      try {
        const response = await fetch('/api/v1/auth/session/token', { method: 'POST', credentials: 'same-origin', headers: consoleHeaders });
        if (!response.ok) return false;
        session.signIn(((await response.json()) as { token: string }).token);
        return true;
      } catch {
        return false;
      } finally {
        restoring = null;
      }
    })();
    return restoring;
  },
  /** Forgets the token and removes the session cookie. */
  async end(): Promise<void> {
    session.signOut();
    await fetch('/api/v1/auth/session', { method: 'DELETE', credentials: 'same-origin', headers: consoleHeaders }).catch(() => undefined);
  },
  signOut() {
    token = null;
    listeners.forEach((l) => l());
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** Sends a request with the session's token: a body of text of the given type (or none). */
async function send(method: string, path: string, text?: string, contentType?: string, signal?: AbortSignal): Promise<RawResponse> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (contentType) headers['Content-Type'] = contentType;
  const response = await fetch(path, { method, headers, body: text, signal, credentials: 'omit' });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** Sends a request with the session's token; JSON in and out. */
export function raw(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<RawResponse> {
  return body === undefined ? send(method, path, undefined, undefined, signal) : send(method, path, JSON.stringify(body), 'application/json', signal);
}

/** The problem (RFC 9457) a failed response carries, as an error to show. */
export function problemOf(response: RawResponse): ApiError {
  try {
    const problem = JSON.parse(response.text) as { title?: string; detail?: string; errors?: unknown };
    const errors = Array.isArray(problem.errors) ? problem.errors.map(String) : undefined;
    return new ApiError(response.status, problem.title ?? `HTTP ${response.status}`, problem.detail, errors);
  } catch {
    return new ApiError(response.status, `HTTP ${response.status}`, response.text.slice(0, 300) || undefined);
  }
}

export function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  return answerOf<T>(() => raw(method, path, body));
}

/** Sends a file's text as it is (an OpenAPI document in JSON or YAML, WireMock mappings); JSON out. */
export function sendText<T>(method: string, path: string, text: string, contentType: string): Promise<T> {
  return answerOf<T>(() => send(method, path, text, contentType));
}

/** The parsed answer of a request, or its problem thrown; a 401 renews the token once from the session cookie. */
async function answerOf<T>(request: () => Promise<RawResponse>): Promise<T> {
  let response = await request();
  if (response.status === 401 && token) {
    // The token expired (they last an hour): the session cookie buys the next one, else the user signs in again.
    if (await session.restore()) {
      response = await request();
    } else {
      session.signOut();
    }
  }
  if (response.status >= 400) {
    throw problemOf(response);
  }
  return (response.text ? JSON.parse(response.text) : undefined) as T;
}

/** Reads a streamed response body as text chunks until it ends or <paramref name="signal"/> aborts. */
export async function stream(path: string, onChunk: (text: string) => void, signal: AbortSignal): Promise<void> {
  const headers: Record<string, string> = { Accept: 'text/event-stream' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(path, { headers, signal, credentials: 'omit' });
  if (!response.ok || !response.body) {
    throw problemOf({ status: response.status, headers: response.headers, text: await response.text() });
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    onChunk(value);
  }
}

// ---- the shapes the console reads ------------------------------------------------------------------------------

export interface Project {
  id: string;
  slug: string;
  name: string;
  description?: string;
  private: boolean;
  rateLimit?: number | null;
  cors: boolean;
  foreignKeySuffix?: string;
  proxy?: { baseUrl: string; headers?: Record<string, string>; stripPrefix?: string } | null;
  createdAt: string;
  updatedAt: string;
  mockUrl: string;
  /** The team that owns it, if one does. */
  teamId?: string;
  /** The caller's role: owner of a personal project, or a team role. */
  role?: 'owner' | 'editor' | 'viewer';
}

/** Whether the caller may change the project's definitions (a viewer reads only). */
export const canEdit = (project: Project): boolean => project.role !== 'viewer';

/** Whether the caller owns the project (personal, or an owner of its team): deletes it, changes its slug or privacy. */
export const isOwner = (project: Project): boolean => (project.role ?? 'owner') === 'owner';

export interface Endpoint {
  id: string;
  method: string;
  path?: string;
  pathPattern?: string;
  response?: { status?: number };
  responses?: { status?: number }[];
  revision: number;
  name?: string;
  request?: Record<string, Record<string, unknown> | unknown[]>;
  /** What the definition says that can never happen (a response that can never answer), as the API said it on save. */
  warnings?: string[];
  [key: string]: unknown;
}

export interface Resource {
  name: string;
  schema?: unknown;
  seed?: unknown;
  idField?: string;
  kind?: string;
  [key: string]: unknown;
}

export interface LogEntry {
  id: string;
  session?: string;
  at: string;
  method: string;
  path: string;
  query?: string;
  headers: Record<string, string>;
  bodyPreview?: string;
  status: number;
  endpointId?: string;
  miss?: string;
  servedMs: number;
  responseIndex?: number;
  contractViolation?: string;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  key?: string;
}

/** A live test session of a project (X-Mock-Session). */
export interface MockSession {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
}

export interface Scenario {
  name: string;
  state: string;
  possibleStates: string[];
}

export interface RecordingStatus {
  recording: boolean;
  spec?: { targetBaseUrl: string } | null;
  startedAt?: string | null;
  requests: number;
  created: string[];
  updated: string[];
  skipped: string[];
}

export interface ImportPlanItem {
  id: string;
  method: string;
  path: string;
  name?: string;
}

export interface ImportResult {
  title: string;
  version: string;
  dryRun: boolean;
  plan: { create: ImportPlanItem[]; update: ImportPlanItem[]; unchanged: ImportPlanItem[]; delete: ImportPlanItem[] };
}

/** Offers <paramref name="text"/> as a file download. */
export function download(name: string, text: string, type = 'application/json') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

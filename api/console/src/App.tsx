import { useEffect, useState, useSyncExternalStore } from 'react';
import { session } from './lib/api';
import { SignIn } from './pages/SignIn';
import { Projects } from './pages/Projects';
import { ProjectPage } from './pages/ProjectPage';
import { Tester } from './pages/Tester';
import { Account } from './pages/Account';
import { Teams } from './pages/Teams';
import { navigate, parseRoute } from './lib/route';

/** The route is the URL's fragment (#/projects/shop/endpoints): the server serves one page, the console the rest. */
function useRoute(): string[] {
  const read = () => parseRoute(location.hash);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const changed = () => setRoute(read());
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

export function App() {
  const token = useSyncExternalStore(session.subscribe, () => session.token);
  const route = useRoute();
  // On load, the session cookie (if any) signs this tab in; until it has answered, neither form nor pages flash.
  const [restored, setRestored] = useState(false);
  useEffect(() => {
    void session.restore().finally(() => setRestored(true));
  }, []);
  if (!token) {
    return restored ? <SignIn /> : <main id="main" aria-busy="true"><p className="muted">Loading…</p></main>;
  }
  const [section = 'projects', slug, tab] = route;
  const link = (path: string, label: string) => (
    <a href={`#/${path}`} aria-current={section === path ? 'page' : undefined}>{label}</a>
  );
  return (
    <>
      <a className="skip" href="#main">Skip to content</a>
      <header className="topbar">
        <a className="brand" href="#/projects">OrleansMock</a>
        <nav aria-label="Main">
          {link('projects', 'Projects')}
          {link('teams', 'Teams')}
          {link('tester', 'API tester')}
          {link('account', 'Account')}
        </nav>
        <button type="button" className="secondary small" onClick={() => { void session.end(); navigate('projects'); }}>Sign out</button>
      </header>
      <main id="main" tabIndex={-1}>
        {section === 'projects' && !slug && <Projects />}
        {section === 'projects' && slug && <ProjectPage slug={slug} tab={tab ?? 'endpoints'} />}
        {section === 'tester' && <Tester />}
        {section === 'account' && <Account />}
        {section === 'teams' && <Teams />}
        {!['projects', 'tester', 'account', 'teams'].includes(section) && <p>Nothing here. <a href="#/projects">Back to projects</a></p>}
      </main>
    </>
  );
}

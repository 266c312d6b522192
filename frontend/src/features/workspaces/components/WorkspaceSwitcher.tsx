import { useQuery } from '@tanstack/react-query';
import { useLocation, useNavigate } from 'react-router';
import { meQuery } from '../../auth/api/auth';

export function WorkspaceSwitcher({ current }: { current: string }) {
  const me = useQuery(meQuery());
  const nav = useNavigate();
  const loc = useLocation();
  const list = me.data?.workspaces ?? [];
  return (
    <div className="ws-switcher">
      <label htmlFor="ws-switch" className="sr-only">
        Workspace
      </label>
      <select
        id="ws-switch"
        className="input select ws-select"
        value={current}
        onChange={(e) => {
          const v = e.target.value;
          if (v === '__new') return nav('/workspaces/new');
          // Keep the section (tickets, team, …) when switching.
          const section = loc.pathname.split('/')[3] ?? 'tickets';
          nav(`/w/${v}/${section}`);
        }}
      >
        {list.map((w) => (
          <option key={w.id} value={w.id}>
            {w.name}
          </option>
        ))}
        {list.every((w) => w.id !== current) ? <option value={current}>…</option> : null}
        <option value="__new">+ New workspace…</option>
      </select>
    </div>
  );
}

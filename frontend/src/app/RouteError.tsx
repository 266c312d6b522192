import { isRouteErrorResponse, Link, useRouteError } from 'react-router';
import { errorMessage } from '../lib/errors';

export function RouteError() {
  const err = useRouteError();
  const chunk = err instanceof Error && /dynamically imported module|Importing a module script failed|Failed to fetch/i.test(err.message);
  return (
    <div className="page center-page">
      <div className="alert alert-error" role="alert">
        <div>
          {chunk ? (
            <>A new version of Handoff is available. Please reload the page.</>
          ) : isRouteErrorResponse(err) ? (
            `${err.status} ${err.statusText}`
          ) : (
            errorMessage(err)
          )}
        </div>
        <button type="button" className="btn btn-secondary btn-sm" onClick={() => window.location.reload()}>
          Reload
        </button>
      </div>
      <p>
        <Link to="/">Back to the dashboard</Link>
      </p>
    </div>
  );
}

export function NotFound() {
  return (
    <div className="page center-page">
      <h1 className="page-title">Page not found</h1>
      <p>
        <Link to="/">Back to the dashboard</Link>
      </p>
    </div>
  );
}

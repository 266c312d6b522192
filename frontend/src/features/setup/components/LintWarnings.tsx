import { Link } from 'react-router';
import type { LintWarning } from '../../../lib/types';

/** The instruction-lint warnings, each quoting the offending sentence. */
export function LintWarnings({
  warnings,
  editHref,
  compact,
  onRemove,
}: {
  warnings: LintWarning[];
  editHref?: string;
  compact?: boolean;
  /** When given, each warning gets a button that removes its sentence from the editor. */
  onRemove?: (sentence: string) => void;
}) {
  if (warnings.length === 0) return null;
  return (
    <section className="lint" aria-labelledby="lint-title" role="region">
      <h2 id="lint-title" className="lint-title">
        <span aria-hidden="true">⚠</span>{' '}
        {warnings.length === 1 ? 'Your AI Instructions may stop tickets from being created' : `${warnings.length} sentences in your AI Instructions may stop tickets from being created`}
      </h2>
      {!compact ? (
        <p className="lint-intro">
          Instructions that send visitors elsewhere for help make the AI think it already solved the problem, so it never offers a ticket. Remove these sentences or make them
          compatible with tickets.
        </p>
      ) : null}
      <ul className="lint-list">
        {warnings.map((w, i) => (
          <li key={i} className="lint-item">
            <blockquote className="lint-quote">“{w.sentence}”</blockquote>
            <p className="lint-reason">{w.reason}</p>
            {onRemove ? (
              <button type="button" className="btn btn-secondary btn-sm lint-fix" onClick={() => onRemove(w.sentence)}>
                Remove this sentence
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      {editHref ? (
        <Link to={editHref} className="btn btn-secondary btn-sm">
          Edit AI Instructions
        </Link>
      ) : null}
    </section>
  );
}

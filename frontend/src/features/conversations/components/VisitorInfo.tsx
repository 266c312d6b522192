import { CopyButton, RelativeTime } from '../../../components/ui';
import { countryName, flagEmoji } from '../../../lib/country';
import { dateTime } from '../../../lib/time';
import type { Visitor } from '../../../lib/types';

/** Only http(s) URLs become links; anything else (javascript:, data:) stays text. */
export function safeHttpUrl(u: string | null | undefined): string | null {
  if (!u) return null;
  try {
    const url = new URL(u);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : null;
  } catch {
    return null;
  }
}

export function deviceText(v: Visitor): string {
  const d = v.device ?? {};
  const parts = [d.browser, d.os ? `on ${d.os}` : null].filter(Boolean).join(' ');
  const kind = d.kind ? d.kind.charAt(0).toUpperCase() + d.kind.slice(1) : null;
  return [parts, kind].filter(Boolean).join(' · ') || 'Unknown';
}

/** An erased visitor: when, and that nothing else is left to show. */
function ErasedVisitor({ at }: { at: string }) {
  return (
    <>
      <dl className="facts">
        <div className="fact">
          <dt>Status</dt>
          <dd>
            <span className="pill">Erased</span> <RelativeTime iso={at} />
          </dd>
        </div>
      </dl>
      <p className="muted small visitor-erased-note">Everything stored about this visitor was deleted. Their tickets stay as anonymous records.</p>
    </>
  );
}

export function VisitorInfo({ visitor, email }: { visitor: Visitor; email?: string | null }) {
  // Erased: the ticket's visitor_email is the word "erased", and the rest is gone.
  if (visitor.erased_at) return <ErasedVisitor at={visitor.erased_at} />;
  const mail = email ?? visitor.email;
  const href = safeHttpUrl(visitor.page_url);
  return (
    <dl className="facts">
      <div className="fact">
        <dt>Email</dt>
        <dd className="fact-email">
          {mail ? (
            <>
              <a href={`mailto:${mail}`} className="break">
                {mail}
              </a>
              <CopyButton text={mail} what="visitor email" />
            </>
          ) : (
            <span className="muted">Not given</span>
          )}
        </dd>
      </div>
      <div className="fact">
        <dt>Identity</dt>
        <dd>
          {visitor.external_id ? (
            <span className="verified" title={`Verified by your site as user ${visitor.external_id}`}>
              <span aria-hidden="true">✓</span> Verified · user <code className="break">{visitor.external_id}</code>
            </span>
          ) : (
            <span className="muted">Anonymous</span>
          )}
        </dd>
      </div>
      <div className="fact">
        <dt>Country</dt>
        <dd>
          {visitor.country ? (
            <>
              <span className="flag" aria-hidden="true">
                {flagEmoji(visitor.country)}
              </span>{' '}
              {countryName(visitor.country)}
            </>
          ) : (
            <span className="muted">Unknown</span>
          )}
        </dd>
      </div>
      <div className="fact">
        <dt>Device</dt>
        <dd>{deviceText(visitor)}</dd>
      </div>
      <div className="fact">
        <dt>Page</dt>
        <dd className="break">
          {href ? (
            <a href={href} target="_blank" rel="noopener noreferrer nofollow">
              {visitor.page_url}
            </a>
          ) : visitor.page_url ? (
            visitor.page_url
          ) : (
            <span className="muted">Unknown</span>
          )}
        </dd>
      </div>
      <div className="fact">
        <dt>First seen</dt>
        <dd title={dateTime(visitor.first_seen_at)}>
          <RelativeTime iso={visitor.first_seen_at} />
        </dd>
      </div>
      <div className="fact">
        <dt>Last seen</dt>
        <dd>
          <RelativeTime iso={visitor.last_seen_at} />
        </dd>
      </div>
    </dl>
  );
}

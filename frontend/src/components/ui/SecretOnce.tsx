import type { ReactNode } from 'react';
import { Button } from './Button';
import { CopyButton } from './CopyButton';

/**
 * A secret the server returns once (an API key, a webhook signing secret): what it is
 * (`children`), the value with a Copy button, and "I’ve saved it" (`onDone`) to dismiss it.
 */
export function SecretOnce({ value, what, onDone, children }: { value: string; what: string; onDone: () => void; children: ReactNode }) {
  return (
    <div className="secret" role="status">
      <p>{children}</p>
      <div className="secret-row">
        <code className="secret-value">{value}</code>
        <CopyButton text={value} what={what} />
      </div>
      <Button size="sm" variant="ghost" onClick={onDone}>
        I’ve saved it
      </Button>
    </div>
  );
}

import { useEffect, useState } from 'react';
import { copyText } from '../../lib/clipboard';

export function CopyButton({ text, label = 'Copy', what }: { text: string; label?: string; what?: string }) {
  const [state, setState] = useState<'idle' | 'done' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const t = setTimeout(() => setState('idle'), 2000);
    return () => clearTimeout(t);
  }, [state]);
  return (
    <button
      type="button"
      className="btn btn-secondary btn-sm copy-btn"
      onClick={() => copyText(text).then(() => setState('done'), () => setState('failed'))}
      aria-label={what ? `Copy ${what}` : label}
    >
      <span aria-hidden="true">{state === 'done' ? '✓' : '⧉'}</span>
      <span aria-live="polite">{state === 'done' ? 'Copied' : state === 'failed' ? 'Copy failed' : label}</span>
    </button>
  );
}

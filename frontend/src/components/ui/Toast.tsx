import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { Link } from 'react-router';

export interface ToastItem {
  id: number;
  text: string;
  href?: string;
  linkText?: string;
  kind?: 'info' | 'success' | 'error';
}

interface ToastApi {
  show: (t: Omit<ToastItem, 'id'>) => void;
}

const Ctx = createContext<ToastApi>({ show: () => undefined });
let seq = 0;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<ToastItem[]>([]);
  const dismiss = useCallback((id: number) => setItems((xs) => xs.filter((x) => x.id !== id)), []);
  const show = useCallback(
    (t: Omit<ToastItem, 'id'>) => {
      const id = ++seq;
      setItems((xs) => [...xs.slice(-3), { ...t, id }]);
      setTimeout(() => dismiss(id), 6000);
    },
    [dismiss],
  );
  const api = useMemo(() => ({ show }), [show]);
  return (
    <Ctx.Provider value={api}>
      {children}
      <div className="toasts" aria-live="polite" aria-atomic="false">
        {items.map((t) => (
          <div key={t.id} className={`toast toast-${t.kind ?? 'info'}`} role="status">
            <span>{t.text}</span>
            {t.href ? (
              <Link to={t.href} className="toast-link" onClick={() => dismiss(t.id)}>
                {t.linkText ?? 'Open'}
              </Link>
            ) : null}
            <button type="button" className="toast-close" aria-label="Dismiss notification" onClick={() => dismiss(t.id)}>
              ×
            </button>
          </div>
        ))}
      </div>
    </Ctx.Provider>
  );
}

export function useToast() {
  return useContext(Ctx);
}

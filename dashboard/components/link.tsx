/** A link to another page of the dashboard: a real address for a new tab, an in-app navigation for a click. */
import type { ComponentChildren } from 'preact';
import { navigate } from '../models/session.ts';

export function PageLink({ page, label, current, onFollow, children }: { page: string; label?: string; current?: boolean; onFollow?: () => void; children: ComponentChildren }) {
  return (
    <a
      href={`/dashboard/${page}`}
      aria-label={label}
      aria-current={current ? 'page' : undefined}
      onClick={(event) => {
        event.preventDefault();
        onFollow?.();
        navigate(page);
      }}
    >
      {children}
    </a>
  );
}

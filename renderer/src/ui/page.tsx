// A page's frame: its heading with the page's own controls beside it, then its content.
import { useEffect, type ReactNode } from 'react';

export function Page({
  title,
  actions,
  className,
  children,
}: {
  title: string;
  actions?: ReactNode;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className={className === undefined ? 'page' : `page ${className}`}>
      <header className="page-header">
        <h2>{title}</h2>
        {actions}
      </header>
      {children}
    </div>
  );
}

/** Reads what a page shows when it opens (`read` is a store action, so it is the same on every render). */
export function useReadOnOpen(read: () => Promise<void>): void {
  useEffect(() => {
    void read();
  }, [read]);
}

import type { ReactNode } from "react";

export interface DataStateProps {
  /** What is being loaded, in words: "top titles". Used in the loading and error messages. */
  subject: string;
  loading: boolean;
  error: unknown;
  empty: boolean;
  /** Shown when the request succeeded with nothing in it. Say why, and what to try. */
  emptyMessage: ReactNode;
  onRetry?: () => void;
  /** A placeholder with the shape of the content, so the page doesn't jump when it arrives. */
  skeleton?: ReactNode;
  /** "banner": one line above content that stays on screen (e.g. last known live figures). */
  variant?: "block" | "banner";
  children: ReactNode;
}

/** One place for the three states every data view has besides its content. */
export function DataState({
  subject,
  loading,
  error,
  empty,
  emptyMessage,
  onRetry,
  skeleton,
  variant = "block",
  children,
}: DataStateProps) {
  if (loading) {
    return (
      <div className="data-state data-state--loading" aria-busy="true" data-testid="data-loading">
        {skeleton ? (
          <>
            {skeleton}
            <span className="visually-hidden">Loading {subject}…</span>
          </>
        ) : (
          <p className="data-state__message">Loading {subject}…</p>
        )}
      </div>
    );
  }
  if (error) {
    const message = error instanceof Error ? error.message : String(error);
    return (
      <div className={`data-state data-state--error data-state--${variant}`} role="alert" data-testid="data-error">
        <p className="data-state__title">Couldn’t load {subject}.</p>
        <p className="data-state__message">{message}</p>
        {onRetry ? (
          <button type="button" className="button" onClick={onRetry}>
            Try again
          </button>
        ) : null}
      </div>
    );
  }
  if (empty) {
    return (
      <div className="data-state data-state--empty" data-testid="data-empty">
        <p className="data-state__title">No {subject} to show</p>
        <p className="data-state__message">{emptyMessage}</p>
      </div>
    );
  }
  return <>{children}</>;
}

/** Grey bars in the rhythm of table rows, for `DataState`'s skeleton. */
export function SkeletonRows({ rows = 6 }: { rows?: number }) {
  return (
    <div className="skeleton-rows" aria-hidden="true">
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="skeleton-rows__row" />
      ))}
    </div>
  );
}

import { ApiRequestError } from "@/components/hooks/fetch-json";

function titleFor(error: unknown): string {
  if (!(error instanceof ApiRequestError)) return "Could not save.";
  if (error.status === 400) return "The server did not accept the experiment.";
  if (error.status === 403) return "Your account may not change experiments.";
  if (error.status === 409) return "The server refused the change.";
  if (error.status === 0) return "Could not reach the server.";
  return "Could not save.";
}

/** A failed save in words, above the form. */
export function ServerError({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="form-alert form-alert--error" role="alert" data-testid="server-error">
      <p className="form-alert__title">{titleFor(error)}</p>
      <p className="form-alert__message">{message}</p>
    </div>
  );
}

/** Someone saved the experiment after this form opened: their version wins unless reloaded. */
export function ConflictAlert({ openedVersion, currentVersion, onReload }: { openedVersion: number; currentVersion: number | null; onReload: () => void }) {
  return (
    <div className="form-alert form-alert--warn" role="alert" data-testid="edit-conflict">
      <p className="form-alert__title">Someone else changed this experiment while you were editing.</p>
      <p className="form-alert__message">
        You opened version {openedVersion}
        {currentVersion !== null ? `; it is now version ${currentVersion}` : ""}. Your changes were not saved. Reload to start
        again from the latest version (what you typed here will be replaced), or copy what you need first.
      </p>
      <button type="button" className="button" onClick={onReload}>
        Reload the latest version
      </button>
    </div>
  );
}

import type { ApiError } from "@/lib/api/types";

/** A failed API request, with a message fit to show to people. */
export class ApiRequestError extends Error {
  constructor(
    message: string,
    /** HTTP status, or 0 when the server could not be reached. */
    readonly status: number,
  ) {
    super(message);
    this.name = "ApiRequestError";
  }
}

/** The session's CSRF token, from the readable cookie the sign-in set (server/auth/sessions.ts). */
function csrfToken(): string {
  const match = /(?:^|;\s*)sr_csrf=([^;]*)/.exec(typeof document === "undefined" ? "" : document.cookie);
  return match ? decodeURIComponent(match[1]!) : "";
}

/** Signed out (or the session expired): back to the sign-in page, then here again. */
function toSignIn(): void {
  if (typeof window === "undefined" || window.location.pathname === "/login") return;
  window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
}

/** GET a JSON API route; non-2xx answers become an ApiRequestError carrying the server's `{ error }`. */
export async function fetchJson<T>(url: string, init?: { signal?: AbortSignal }): Promise<T> {
  return request<T>(url, { headers: { accept: "application/json" }, signal: init?.signal });
}

/** POST/PUT/PATCH/DELETE JSON with the CSRF header; errors as in fetchJson. */
export async function sendJson<T>(method: "POST" | "PUT" | "PATCH" | "DELETE", url: string, body?: unknown): Promise<T> {
  return request<T>(url, {
    method,
    headers: { accept: "application/json", "content-type": "application/json", "x-csrf-token": csrfToken() },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function request<T>(url: string, init: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    if (init.signal?.aborted) throw error;
    throw new ApiRequestError("Could not reach the server. Check the connection and try again.", 0);
  }
  if (response.status === 401) toSignIn();
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as Partial<ApiError> | null;
    const reason = typeof body?.error === "string" && body.error ? body.error : response.statusText || "Request failed";
    throw new ApiRequestError(`${reason.charAt(0).toUpperCase()}${reason.slice(1)} (HTTP ${response.status})`, response.status);
  }
  return (await response.json()) as T;
}

/** Retry transient failures (network, 5xx) twice; a 4xx will not get better by asking again. */
export function retryTransient(failureCount: number, error: Error): boolean {
  if (error instanceof ApiRequestError && error.status >= 400 && error.status < 500) return false;
  return failureCount < 2;
}

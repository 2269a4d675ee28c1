import { z } from "zod";
import { hasNul } from "../../lib/api/params";
import { logger } from "../logger";

/** A client mistake: becomes a 4xx with its message. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export function json(body: unknown, init: ResponseInit = {}): Response {
  // A Headers object (e.g. several Set-Cookie values) does not survive an object spread: copy it.
  const headers = new Headers(init.headers);
  if (!headers.has("content-type")) headers.set("content-type", "application/json; charset=utf-8");
  if (!headers.has("cache-control")) headers.set("cache-control", "no-store");
  return new Response(JSON.stringify(body, (_k, v) => (typeof v === "bigint" ? Number(v) : v)), { ...init, headers });
}

/** Runs a route body; client errors become 4xx with a message, anything else a logged 500. */
export async function handle(run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof HttpError) return json({ error: err.message }, { status: err.status });
    if (err instanceof z.ZodError) return json({ error: describeZodError(err) }, { status: 400 });
    logger.error({ err }, "request failed");
    return json({ error: "internal error" }, { status: 500 });
  }
}

export function describeZodError(err: z.ZodError): string {
  return err.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`)
    .join("; ");
}

/** Parses URL search params with a zod object schema; unknown params are ignored. */
export function parseQuery<T extends z.ZodType>(url: string, schema: T): z.infer<T> {
  const params = Object.fromEntries(new URL(url).searchParams);
  if (Object.values(params).some(hasNul)) throw new HttpError(400, "query parameters must not contain a NUL character");
  const result = schema.safeParse(params);
  if (!result.success) throw new HttpError(400, describeZodError(result.error));
  return result.data;
}

/** Reads a JSON body no larger than `maxBytes`. */
export async function readJson(request: Request, maxBytes: number): Promise<unknown> {
  const length = Number(request.headers.get("content-length") ?? 0);
  if (length > maxBytes) throw new HttpError(413, `body of ${length} bytes exceeds ${maxBytes}`);
  const text = await request.text();
  if (Buffer.byteLength(text) > maxBytes) throw new HttpError(413, `body exceeds ${maxBytes} bytes`);
  // Postgres cannot store NUL (U+0000) in text or JSON: refuse it here, as a literal or escaped.
  if (text.includes("\u0000") || text.includes("\\u0000")) throw new HttpError(400, "body must not contain a NUL character (U+0000)");
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "body is not valid JSON");
  }
}

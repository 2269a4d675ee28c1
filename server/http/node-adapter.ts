/**
 * Serves a Fetch-style route handler (the same function Next mounts) straight from Node's HTTP
 * server, for the few hot endpoints where Next's routing costs more than the work itself.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

type Handler = (request: Request, context: { params: Promise<Record<string, never>> }) => Promise<Response>;

const MAX_BODY = 64 * 1024;

export async function serveFetchHandler(req: IncomingMessage, res: ServerResponse, handler: Handler): Promise<void> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) {
      res.writeHead(413, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify({ error: `body exceeds ${MAX_BODY} bytes` }));
      req.resume();
      return;
    }
    chunks.push(chunk);
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const request = new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, {
    method: req.method,
    headers,
    body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
  });
  const response = await handler(request, { params: Promise.resolve({}) });
  // An API answer is JSON and nothing else; the pages' headers come from next.config.js.
  const out: Record<string, string> = { "x-content-type-options": "nosniff", "referrer-policy": "no-referrer" };
  response.headers.forEach((value, name) => (out[name] = value));
  res.writeHead(response.status, out).end(Buffer.from(await response.arrayBuffer()));
}

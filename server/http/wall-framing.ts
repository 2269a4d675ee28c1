import type { ServerResponse } from "node:http";

/**
 * Every page refuses to be framed (next.config.js: `frame-ancestors 'none'`, `X-Frame-Options:
 * DENY`). A live-ops team may show the wall inside a signage portal: WALL_FRAME_ANCESTORS lists the
 * origins allowed to frame `/wall`, and only `/wall`. It is applied per request (Next bakes
 * next.config.js headers in at build time), by rewriting the two headers as they are set.
 */

/** `https://a.example https://b.example`: origins only (scheme://host[:port]), space- or comma-separated. */
export function parseFrameAncestors(value: string | undefined): string[] {
  const origins = (value ?? "").split(/[\s,]+/).filter(Boolean);
  for (const o of origins) {
    let url: URL;
    try {
      url = new URL(o);
    } catch {
      throw new Error(`WALL_FRAME_ANCESTORS: "${o}" is not an origin like https://signage.example.com`);
    }
    const plainHost = /^[a-z0-9.-]+$/i.test(url.hostname);
    if (!/^https?:$/.test(url.protocol) || !plainHost || url.origin !== o.replace(/\/$/, "")) {
      throw new Error(`WALL_FRAME_ANCESTORS: "${o}" is not an origin like https://signage.example.com (no path, query or wildcard)`);
    }
  }
  return origins.map((o) => o.replace(/\/$/, ""));
}

export function isWallPath(url: string | undefined): boolean {
  return /^\/wall(?:[/?#]|$)/.test(url ?? "");
}

/** Lets `ancestors` frame this response: their origins in CSP frame-ancestors, no X-Frame-Options. */
export function allowFramingBy(res: ServerResponse, ancestors: readonly string[]): void {
  const setHeader = res.setHeader.bind(res);
  res.setHeader = (name: string, value: number | string | readonly string[]) => {
    const key = name.toLowerCase();
    if (key === "x-frame-options") return res;
    if (key === "content-security-policy") {
      const rewrite = (v: string) => v.replace(/frame-ancestors [^;]*/, `frame-ancestors ${ancestors.join(" ")}`);
      return setHeader(name, Array.isArray(value) ? value.map(String).map(rewrite) : rewrite(String(value)));
    }
    return setHeader(name, value);
  };
}

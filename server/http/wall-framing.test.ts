import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allowFramingBy, isWallPath, parseFrameAncestors } from "./wall-framing";

/** A server that sets the headers next.config.js sets, with the wall rewrite as main.ts wires it. */
describe("wall framing", () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (isWallPath(req.url)) allowFramingBy(res, ["https://signage.example.com", "https://tv.example.org:8443"]);
      res.setHeader("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; object-src 'none'");
      res.setHeader("X-Frame-Options", "DENY");
      res.setHeader("X-Content-Type-Options", "nosniff");
      res.end("ok");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("lets only the configured origins frame /wall, and keeps the rest of its policy", async () => {
    const res = await fetch(`${base}/wall?token=srw_x&panels=overview`);
    expect(res.headers.get("content-security-policy")).toBe(
      "default-src 'self'; frame-ancestors https://signage.example.com https://tv.example.org:8443; object-src 'none'",
    );
    expect(res.headers.get("x-frame-options")).toBeNull();
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("leaves every other page unframeable", async () => {
    for (const path of ["/", "/experiments", "/wallpaper", "/api/wall", "/login?next=/wall"]) {
      const res = await fetch(`${base}${path}`);
      expect([path, res.headers.get("content-security-policy")]).toEqual([path, "default-src 'self'; frame-ancestors 'none'; object-src 'none'"]);
      expect(res.headers.get("x-frame-options")).toBe("DENY");
    }
  });

  it("accepts origins only: no paths, wildcards or other schemes", () => {
    expect(parseFrameAncestors(undefined)).toEqual([]);
    expect(parseFrameAncestors(" https://a.example.com, http://b.example:8080/ ")).toEqual(["https://a.example.com", "http://b.example:8080"]);
    for (const bad of ["*", "https://*.example.com", "https://a.example.com/wall", "javascript:alert(1)", "a.example.com", "'self'"]) {
      expect(() => parseFrameAncestors(bad), bad).toThrow(/WALL_FRAME_ANCESTORS/);
    }
  });
});

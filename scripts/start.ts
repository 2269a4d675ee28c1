/**
 * `npm start`: builds the Next app when its build is missing or older than the sources, then runs
 * the server (one process: web, stream processor, live gateway, simulator).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

process.env.NEXT_TELEMETRY_DISABLED ??= "1";
process.env.CHECKPOINT_DISABLE ??= "1";

function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".") || entry.name.endsWith(".test.ts")) continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

const buildId = path.join(process.env.NEXT_DIST_DIR || ".next", "BUILD_ID");
// server/ too: route handlers bundle server code.
const sources = Math.max(...["app", "components", "lib", "server"].map(newestMtime), ...["next.config.js", "proxy.ts"].map((f) => statSync(f).mtimeMs));
if (!existsSync(buildId) || statSync(buildId).mtimeMs < sources) {
  console.log("Building the web app (first start or sources changed)…");
  const result = spawnSync("npx", ["next", "build"], { stdio: "inherit", env: process.env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

await import("../server/main.ts");

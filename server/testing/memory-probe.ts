import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/*
 * Loaded into a child process under test (NODE_OPTIONS=--import <this file>): every
 * MEMORY_PROBE_MS (1 s) it runs a full garbage collection and prints one line
 *   MEMORY_PROBE {"at":…,"heapUsed":…,"external":…,"rss":…}
 * so a test sees the process's live memory (what survives a GC), not when V8 chose to collect.
 */

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const every = Number(process.env.MEMORY_PROBE_MS ?? 1_000);

setInterval(() => {
  gc();
  const m = process.memoryUsage();
  process.stdout.write(`MEMORY_PROBE ${JSON.stringify({ at: Date.now(), heapUsed: m.heapUsed, external: m.external, rss: m.rss })}\n`);
}, every).unref();

import { monitorEventLoopDelay } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/*
 * Loaded into a child process under test or soak (NODE_OPTIONS="--import tsx --import <this file>",
 * see MEMORY_PROBE_OPTIONS in child-process.ts). Every MEMORY_PROBE_MS (1 s) it prints one line
 *   MEMORY_PROBE {"at":…,"heapUsed":…,"heapTotal":…,"external":…,"arrayBuffers":…,"rss":…,"cpuPct":…,"loopP99Ms":…}
 * bytes; cpuPct is % of one core since the previous line, loopP99Ms the event loop's delay p99 over it.
 * With MEMORY_PROBE_GC=1 it runs a full garbage collection first, so heapUsed is the live set (what
 * survives a GC), not wherever V8's sawtooth happens to be.
 */

const every = Number(process.env.MEMORY_PROBE_MS ?? 1_000);
const gc = process.env.MEMORY_PROBE_GC === "1" ? (setFlagsFromString("--expose-gc"), runInNewContext("gc") as () => void) : null;
const loop = monitorEventLoopDelay({ resolution: 20 });
loop.enable();
let cpu = process.cpuUsage();
let since = performance.now();

setInterval(() => {
  gc?.();
  const m = process.memoryUsage();
  const used = process.cpuUsage(cpu);
  const now = performance.now();
  const line = {
    at: Date.now(),
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
    rss: m.rss,
    cpuPct: ((used.user + used.system) / 1000 / (now - since)) * 100,
    loopP99Ms: loop.percentile(99) / 1e6,
  };
  cpu = process.cpuUsage();
  since = now;
  loop.reset();
  process.stdout.write(`MEMORY_PROBE ${JSON.stringify(line)}\n`);
}, every).unref(); // the process decides when to exit, not the probe

/**
 * The product's entry point with a memory probe in front, so the soak reads the product process's
 * heap and RSS without a line of product code changed:
 *
 *   node --import tsx bench/soak/probe.ts --role stream,live   ≡   server/main.ts --role stream,live
 *
 * (main.ts reads its flags from process.argv.slice(2), which are the same here.) Every
 * SOAK_PROBE_MS (default 5,000) it prints one stdout line:
 *   SOAK_PROBE {"at":…,"heapUsed":…,"heapTotal":…,"rss":…,"external":…,"arrayBuffers":…,"cpuPct":…,"loopP99Ms":…}
 * bytes; cpuPct is % of one core since the previous line; loopP99Ms the event loop's delay p99 over it.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";

const intervalMs = Number(process.env.SOAK_PROBE_MS ?? 5_000);
const loop = monitorEventLoopDelay({ resolution: 20 });
loop.enable();
let cpu = process.cpuUsage();
let since = performance.now();

const timer = setInterval(() => {
  const m = process.memoryUsage();
  const used = process.cpuUsage(cpu);
  const now = performance.now();
  const line = {
    at: Date.now(),
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    rss: m.rss,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
    cpuPct: ((used.user + used.system) / 1000 / (now - since)) * 100,
    loopP99Ms: loop.percentile(99) / 1e6,
  };
  cpu = process.cpuUsage();
  since = now;
  loop.reset();
  process.stdout.write(`SOAK_PROBE ${JSON.stringify(line)}\n`);
}, intervalMs);
timer.unref(); // the product decides when to exit, not the probe

await import("../../server/main");

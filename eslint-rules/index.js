// @ts-check
/** Showrunner's own lint rules, as the `showrunner` plugin of eslint.config.js. */
import noStringBuiltSql from "./no-string-built-sql.js";

/** @type {import("eslint").ESLint.Plugin} */
const plugin = {
  meta: { name: "showrunner" },
  rules: { "no-string-built-sql": noStringBuiltSql },
};

export default plugin;

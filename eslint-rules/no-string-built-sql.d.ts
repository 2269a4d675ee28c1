// Types for the plain-JS rule (eslint.config.js loads it without a TypeScript step).
import type { Rule } from "eslint";

declare const rule: Rule.RuleModule;
export default rule;

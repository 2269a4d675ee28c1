// @ts-check
/**
 * showrunner/no-string-built-sql: SQL reaches Postgres as fixed text plus bind parameters ($1, $2, …)
 * or through Prisma's tagged templates (`db.$queryRaw\`… ${value}\``, which bind their values),
 * never as a string assembled from values.
 *
 * Reported:
 * - `$queryRawUnsafe` / `$executeRawUnsafe` and `Prisma.raw`, wherever they appear (called or not);
 * - a `.query(...)` call, on any receiver, whose first argument is not fixed text.
 *
 * Fixed text is text the code alone decides:
 * - a string literal;
 * - a template literal whose every `${…}` is fixed text or on the allowlist below;
 * - `cond ? a : b` with both branches fixed text (`${lock ? "FOR UPDATE" : ""}`);
 * - a `const` whose initialiser is fixed text;
 * - `CONSTANT` or `CONSTANT.member`: a SCREAMING_SNAKE module-level `const` or import, trusted by its
 *   name to hold text made at load time (`WORK_MEM`, `SQL.capped`);
 * - pg's `{ text, … }` whose `text` is fixed text.
 *
 * Allowlisted inside a template: `${CONSTANT}`, `${CONSTANT_LIST.join("…")}` and `${quoteIdent(…)}`
 * (server/db/sql.ts), the one way to put a name (database, schema, table) into SQL.
 *
 * Anything else (a parameter, a `let`, a number, a call, `+`) is a value: pass it as `$n`. Code that
 * must forward text from elsewhere (migration files, a test's recording pool) says so with
 * `// eslint-disable-next-line showrunner/no-string-built-sql -- <why the text is trusted>`.
 */

const SCREAMING_SNAKE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;
const UNSAFE_PRISMA_METHODS = new Set(["$queryRawUnsafe", "$executeRawUnsafe"]);
const IDENTIFIER_QUOTER = "quoteIdent";
/** How many `const a = b` hops to follow before giving up (and reporting). */
const MAX_CONST_HOPS = 4;

/** @typedef {import("estree").Node} Node */
/** @typedef {import("eslint").Scope.Variable} Variable */
/** @typedef {{ node: Node, messageId: string, data?: Record<string, string> }} Problem */

/**
 * The property name of a member expression or object key, when it is written out.
 * @param {Node} node
 * @returns {string | undefined}
 */
function staticName(node) {
  if (node.type === "Identifier") return node.name;
  if (node.type === "Literal" && typeof node.value === "string") return node.value;
  return undefined;
}

/**
 * TS wrappers (`x as string`, `x!`, `x satisfies T`) that do not change the value.
 * @param {Node} node
 * @returns {Node}
 */
function unwrap(node) {
  let n = /** @type {any} */ (node);
  while (n && (n.type === "TSAsExpression" || n.type === "TSNonNullExpression" || n.type === "TSSatisfiesExpression" || n.type === "TSTypeAssertion")) {
    n = n.expression;
  }
  return n;
}

/** @type {import("eslint").Rule.RuleModule} */
const rule = {
  meta: {
    type: "problem",
    docs: {
      description: "SQL only through Prisma's tagged templates or pg bind parameters: no SQL text built from values",
    },
    schema: [],
    messages: {
      unsafeApi: "{{name}} runs a string as SQL. Use the tagged template ($queryRaw`…${value}`) or Prisma.sql, which bind values.",
      concatenated: "SQL text built with `+`. Keep the text fixed and pass values as bind parameters ($1, $2, …).",
      interpolated:
        "`${{{expression}}}` puts a value into SQL text. Pass it as a bind parameter ($1, $2, …); for a name use quoteIdent() (server/db/sql.ts); constants must be SCREAMING_SNAKE module consts.",
      notFixed:
        "The SQL given to .query() is not fixed text (a literal, an allowlisted template or a const of one). Pass values as bind parameters ($1, $2, …).",
    },
  },

  create(context) {
    const sourceCode = context.sourceCode;

    /**
     * The variable `name` refers to at `node`, searching outward from its scope.
     * @param {Node} node
     * @param {string} name
     * @returns {Variable | undefined}
     */
    function resolve(node, name) {
      for (let scope = /** @type {import("eslint").Scope.Scope | null} */ (sourceCode.getScope(node)); scope; scope = scope.upper) {
        const found = scope.set.get(name);
        if (found) return found;
      }
      return undefined;
    }

    /**
     * The `const` declarator behind a variable, if it has exactly one definition and it is one.
     * @param {Variable} variable
     * @returns {import("estree").VariableDeclarator | undefined}
     */
    function constDeclarator(variable) {
      if (variable.defs.length !== 1) return undefined;
      const def = variable.defs[0];
      if (!def || def.type !== "Variable" || def.parent?.kind !== "const") return undefined;
      const declarator = /** @type {import("estree").VariableDeclarator} */ (def.node);
      return declarator.id.type === "Identifier" ? declarator : undefined;
    }

    /**
     * A SCREAMING_SNAKE name bound to a module-level `const` or an import: a constant of the code.
     * @param {import("estree").Identifier} id
     */
    function isModuleConstant(id) {
      if (id.name.length < 2 || !SCREAMING_SNAKE.test(id.name)) return false;
      const variable = resolve(id, id.name);
      if (!variable) return false;
      if (variable.defs.length === 1 && variable.defs[0]?.type === "ImportBinding") return true;
      return constDeclarator(variable) !== undefined && (variable.scope.type === "module" || variable.scope.type === "global");
    }

    /**
     * `CONSTANT` or `CONSTANT.member`: text the code made at load time, trusted by its name.
     * @param {Node} raw
     */
    function isConstantText(raw) {
      const node = unwrap(raw);
      if (node.type === "Identifier") return isModuleConstant(node);
      if (node.type !== "MemberExpression" || node.computed) return false;
      const object = unwrap(node.object);
      return object.type === "Identifier" && isModuleConstant(object);
    }

    /**
     * On the allowlist inside a `.query()` template: `${CONSTANT}`, `${CONSTANT_LIST.join("…")}`, `${quoteIdent(…)}`.
     * @param {Node} raw
     */
    function isAllowlisted(raw) {
      const node = unwrap(raw);
      if (node.type === "Identifier") return isModuleConstant(node);
      if (node.type !== "CallExpression") return false;
      const callee = unwrap(node.callee);
      if (callee.type === "Identifier") return callee.name === IDENTIFIER_QUOTER;
      if (callee.type !== "MemberExpression" || callee.computed || staticName(callee.property) !== "join") return false;
      const list = unwrap(callee.object);
      return (
        list.type === "Identifier" &&
        isModuleConstant(list) &&
        node.arguments.length <= 1 &&
        node.arguments.every((a) => a.type === "Literal" && typeof a.value === "string")
      );
    }

    /**
     * Why `raw` is not fixed SQL text: nothing when it is.
     * @param {Node} raw
     * @param {number} hops `const` indirections followed so far
     * @returns {Problem[]}
     */
    function problemsOf(raw, hops) {
      const node = unwrap(raw);
      switch (node.type) {
        case "Literal":
          if (typeof node.value === "string") return [];
          break;
        case "TemplateLiteral":
          // An interpolation is fine when it is allowlisted or itself fixed text (`${lock ? "FOR UPDATE" : ""}`).
          return node.expressions
            .filter((expression) => !isAllowlisted(expression) && problemsOf(expression, hops).length > 0)
            .map((expression) => ({ node: expression, messageId: "interpolated", data: { expression: sourceCode.getText(expression) } }));
        case "BinaryExpression":
          if (node.operator === "+") return [{ node, messageId: "concatenated" }];
          break;
        case "ConditionalExpression":
          return [...problemsOf(node.consequent, hops), ...problemsOf(node.alternate, hops)];
        case "ObjectExpression": {
          // pg's QueryConfig: { text, values, name, rowMode, … }. A spread could bring any text.
          if (node.properties.some((p) => p.type === "SpreadElement")) break;
          const text = node.properties.find((p) => p.type === "Property" && !p.computed && staticName(p.key) === "text");
          if (text?.type === "Property") return problemsOf(text.value, hops);
          break;
        }
        case "MemberExpression":
          if (isConstantText(node)) return [];
          break;
        case "Identifier": {
          if (isModuleConstant(node)) return [];
          const variable = resolve(node, node.name);
          const declarator = variable && constDeclarator(variable);
          // The const's own text decides; the problem is reported here, where it becomes SQL.
          if (declarator?.init && hops < MAX_CONST_HOPS && problemsOf(declarator.init, hops + 1).length === 0) return [];
          break;
        }
      }
      return [{ node, messageId: "notFixed" }];
    }

    return {
      MemberExpression(node) {
        const name = node.computed ? (node.property.type === "Literal" ? staticName(node.property) : undefined) : staticName(node.property);
        if (name && UNSAFE_PRISMA_METHODS.has(name)) {
          context.report({ node: node.property, messageId: "unsafeApi", data: { name } });
        } else if (name === "raw" && unwrap(node.object).type === "Identifier" && /** @type {any} */ (unwrap(node.object)).name === "Prisma") {
          context.report({ node, messageId: "unsafeApi", data: { name: "Prisma.raw" } });
        }
      },
      // const { $queryRawUnsafe } = db
      "ObjectPattern > Property"(/** @type {import("estree").Property} */ node) {
        const name = node.computed ? undefined : staticName(node.key);
        if (name && UNSAFE_PRISMA_METHODS.has(name)) context.report({ node: node.key, messageId: "unsafeApi", data: { name } });
      },
      CallExpression(node) {
        const callee = unwrap(node.callee);
        if (callee.type !== "MemberExpression") return;
        const name = callee.computed ? (callee.property.type === "Literal" ? staticName(callee.property) : undefined) : staticName(callee.property);
        if (name !== "query") return;
        const first = node.arguments[0];
        if (!first) return;
        if (first.type === "SpreadElement") {
          context.report({ node: first, messageId: "notFixed" });
          return;
        }
        for (const problem of problemsOf(first, 0)) context.report(problem);
      },
    };
  },
};

export default rule;

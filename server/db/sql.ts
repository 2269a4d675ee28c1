/**
 * The one way to put a name into SQL text. Values always travel as bind parameters ($1, $2, …);
 * identifiers (databases, schemas, tables) cannot, so they go through quoteIdent, which the lint
 * rule `showrunner/no-string-built-sql` (eslint-rules/no-string-built-sql.js) accepts inside a
 * `.query()` template.
 */

/**
 * `name` as a Postgres quoted identifier: wrapped in double quotes, embedded double quotes doubled
 * (the same as Postgres' own `quote_ident`, except that it always quotes). Quoted names are
 * case-sensitive: `quoteIdent("Foo")` is not the table `foo`.
 */
export function quoteIdent(name: string): string {
  // Postgres cannot store NUL in a name; refusing here beats a confusing protocol error.
  if (name.includes("\0")) throw new RangeError("an SQL identifier cannot contain NUL");
  return `"${name.replaceAll('"', '""')}"`;
}

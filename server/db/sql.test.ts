import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { quoteIdent } from "./sql";

const NAMES: [name: string, quoted: string][] = [
  ["user_daily_stat", '"user_daily_stat"'],
  ["Mixed Case", '"Mixed Case"'],
  ['a"b', '"a""b"'],
  ['x"; DROP TABLE t; --', '"x""; DROP TABLE t; --"'],
  ['""', '""""""'],
  ["ünïcødé", '"ünïcødé"'],
];

describe("quoteIdent", () => {
  it.each(NAMES)("quotes %j as %s", (name, quoted) => {
    expect(quoteIdent(name)).toBe(quoted);
  });

  it("refuses a name with NUL, which Postgres cannot store", () => {
    expect(() => quoteIdent("a\0b")).toThrow(RangeError);
  });

  describe("read back by Postgres' own parser", () => {
    let client: pg.Client;
    beforeAll(async () => {
      client = new pg.Client({ connectionString: inject("postgresAdminUrl") });
      await client.connect();
    });
    afterAll(() => client?.end());

    // Oracle: the server parses the quoted text as one identifier, the column comes back named exactly `name`.
    it.each(NAMES)("%j survives as one column name", async (name) => {
      const result = await client.query(`SELECT 1 AS ${quoteIdent(name)}`);
      expect(result.fields.map((f) => f.name)).toEqual([name]);
    });
  });
});

import type { Knex } from "knex";

// The external_id columns hold the externalId in Unicode NFC from now on (query/external-id-key.ts
// says why). Rows written before hold it as sent: rewrite those that differ, a batch at a time in
// key order, so a large tenant never holds one long transaction. `down` puts back the value as sent,
// which the resource document kept. The rule is inlined, not imported: a migration must keep doing
// what it did when it shipped.
const tables = ["users", "groups"] as const;
const batchSize = 1000;

interface Row {
  tenant_id: string;
  id: string;
  external_id: string;
  resource: string;
}

async function rewrite(db: Knex, table: (typeof tables)[number], columnValue: (row: Row) => string | null): Promise<void> {
  let after: { tenant_id: string; id: string } | undefined;
  for (;;) {
    const query = db<Row>(table)
      .whereNotNull("external_id")
      .orderBy([{ column: "tenant_id" }, { column: "id" }])
      .limit(batchSize);
    if (after !== undefined) {
      const { tenant_id, id } = after;
      query.andWhere((keyset) =>
        keyset.where("tenant_id", ">", tenant_id).orWhere((same) => same.where("tenant_id", tenant_id).andWhere("id", ">", id)),
      );
    }
    const rows = await query.select("tenant_id", "id", "external_id", "resource");
    for (const row of rows) {
      const value = columnValue(row);
      if (value !== row.external_id) await db(table).where({ tenant_id: row.tenant_id, id: row.id }).update({ external_id: value });
    }
    const last = rows.at(-1);
    if (last === undefined || rows.length < batchSize) return;
    after = { tenant_id: last.tenant_id, id: last.id };
  }
}

export async function up(db: Knex): Promise<void> {
  for (const table of tables) await rewrite(db, table, (row) => row.external_id.normalize("NFC"));
}

export async function down(db: Knex): Promise<void> {
  for (const table of tables) {
    await rewrite(db, table, (row) => {
      const sent = (JSON.parse(row.resource) as { externalId?: unknown }).externalId;
      return typeof sent === "string" ? sent : row.external_id;
    });
  }
}

/**
 * Goals (a pageview of a path or pattern, or a custom event with an optional property value) and funnels of them,
 * and each visit's trail: its events in order as text, which goals and funnels search (server/queries/trails.ts
 * describes the format; the backfill below is that fold, frozen here).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('goals')
    .addColumn('site_id', 'integer', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('id', 'serial', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('pageview', 'event')`))
    .addColumn('path', 'text')
    .addColumn('event_name', 'text')
    .addColumn('prop_key', 'text')
    .addColumn('prop_value', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // Per site, the key includes the distribution column (server/db/distribution.ts).
    .addPrimaryKeyConstraint('goals_pkey', ['site_id', 'id'])
    .addCheckConstraint(
      'goals_target',
      sql`(kind = 'pageview' and path is not null and event_name is null and prop_key is null)
        or (kind = 'event' and path is null and event_name is not null and (prop_key is null) = (prop_value is null))`,
    )
    .execute();

  await db.schema
    .createTable('funnels')
    .addColumn('site_id', 'integer', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('id', 'serial', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    // Goal ids in order; a goal a funnel uses cannot be deleted (checked where goals are deleted).
    .addColumn('steps', sql`integer[]`, (c) => c.notNull().check(sql`cardinality(steps) between 2 and 8`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('funnels_pkey', ['site_id', 'id'])
    .execute();

  await sql`alter table visits add column trail text not null default ''`.execute(db);
  const clean = (value: string) => sql.raw(`translate(${value}, E'\\x1d\\x1e\\x1f', '')`);
  await sql`update visits v set trail = t.trail
    from (
      select site_id, session_id, array_to_string((array_agg(x order by right(x, 13), x collate "C"))[1:200], '') as trail
      from (
        select e.site_id, e.session_id, E'\\x1e' || case when e.type = 'pageview'
            then 'p' || ${clean('e.path')}
            else 'e' || ${clean('e.name')} || E'\\x1f' || coalesce((select string_agg(${clean('p.key')} || '=' || ${clean('p.value')} || E'\\x1f', '' order by p.key collate "C")
              from jsonb_each_text(e.props) as p), '') end
          || E'\\x1d' || lpad(floor(extract(epoch from e.occurred_at) * 1000)::bigint::text, 13, '0') as x
        from events e where e.type in ('pageview', 'custom')
      ) as elements
      group by site_id, session_id
    ) as t
    where t.site_id = v.site_id and t.session_id = v.session_id`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table visits drop column trail`.execute(db);
  await db.schema.dropTable('funnels').execute();
  await db.schema.dropTable('goals').execute();
}

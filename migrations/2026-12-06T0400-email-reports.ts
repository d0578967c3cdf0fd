/** Scheduled email reports: each site's schedule, its recipients (each with an unsubscribe token), and every mail owed. */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('report_schedules')
    .addColumn('site_id', 'integer', (c) => c.primaryKey().references('sites.id').onDelete('cascade'))
    .addColumn('frequency', 'text', (c) => c.notNull().defaultTo('off').check(sql`frequency in ('off', 'weekly', 'monthly')`))
    .addColumn('language', 'text', (c) => c.notNull().defaultTo('nb').check(sql`language in ('nb', 'en')`))
    // When the next period's report is due; null while off. The scheduler reads this, never the calendar.
    .addColumn('next_send_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('report_schedules_due_idx').on('report_schedules').column('next_send_at').where(sql.ref('next_send_at'), 'is not', null).execute();

  await db.schema
    .createTable('report_recipients')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('site_id', 'integer', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    // Random, in the unsubscribe link of every mail: it alone lets its holder stop the mail, without a login.
    .addColumn('token', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('unsubscribed_at', 'timestamptz')
    .addUniqueConstraint('report_recipients_site_email_key', ['site_id', 'email'])
    .execute();

  await db.schema
    .createTable('report_deliveries')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('site_id', 'integer', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('recipient_id', 'integer', (c) => c.notNull().references('report_recipients.id').onDelete('cascade'))
    .addColumn('frequency', 'text', (c) => c.notNull().check(sql`frequency in ('weekly', 'monthly')`))
    .addColumn('period_from', 'timestamptz', (c) => c.notNull())
    .addColumn('period_to', 'timestamptz', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending').check(sql`status in ('pending', 'sent', 'failed', 'cancelled')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_attempt_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('next_attempt_at', 'timestamptz')
    // A process sending it holds it until then; one that died mid-send leaves it to be taken again afterwards.
    .addColumn('claimed_until', 'timestamptz')
    .addColumn('sent_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // One mail per recipient and period, however many processes plan it or how often the server restarts.
    .addUniqueConstraint('report_deliveries_once_key', ['recipient_id', 'frequency', 'period_from'])
    .execute();
  await db.schema.createIndex('report_deliveries_pending_idx').on('report_deliveries').column('next_attempt_at').where(sql.ref('status'), '=', 'pending').execute();
  await db.schema.createIndex('report_deliveries_site_idx').on('report_deliveries').columns(['site_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('report_deliveries').execute();
  await db.schema.dropTable('report_recipients').execute();
  await db.schema.dropTable('report_schedules').execute();
}

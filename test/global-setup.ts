/**
 * Runs once for the whole run, before any test file starts. Builds the widget bundles and the dashboard the servers
 * under test serve, and the compiled server and command line that the process tests start (files that built for
 * themselves raced each other, one reading a bundle while another rewrote it). Migrates the database templates
 * every test database is copied from.
 */
import { buildAll } from '../scripts/bundles.ts';
import { prepareMigratedTemplates } from './helpers/database.ts';

export default async function setup(): Promise<() => Promise<void>> {
  const [removeTemplates] = await Promise.all([prepareMigratedTemplates(), buildAll()]);
  return removeTemplates;
}

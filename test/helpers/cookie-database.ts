/** The Open Cookie Database beside the repository (../shared/data, see its SOURCE.md): tests load it from there. */
import path from 'node:path';

export const OPEN_COOKIE_DATABASE = path.resolve(import.meta.dirname, '../../../shared/data/open-cookie-database/open-cookie-database.json');

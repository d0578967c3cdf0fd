/**
 * The checkout's root folder, where dist/ and the packaged assets are. Found from this module's own place, which is
 * server/ when run from the TypeScript sources (tests, tools) and dist/server/ when `npm start` runs the build.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export const PROJECT_ROOT = path.resolve(here, path.basename(path.dirname(here)) === 'dist' ? '../..' : '..');

/** Where the builds go: the widget's bundles, the dashboard and the compiled server. */
export const DIST = path.join(PROJECT_ROOT, 'dist');

/**
 * Compiles the server, the command line and the scanner's process into dist/server/, so that `npm start` runs
 * JavaScript built once rather than a TypeScript loader at run time. Packages stay imports of node_modules; the
 * shared code of the three goes into chunks of its own.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { DIST, PROJECT_ROOT } from './project-root.ts';

export const SERVER_DIST = path.join(DIST, 'server');
/** What `npm start` runs. */
export const SERVER_ENTRY = path.join(SERVER_DIST, 'main.js');
/** What `npm run samtykke` runs. */
export const CLI_ENTRY = path.join(SERVER_DIST, 'cli.js');

export async function buildServer(): Promise<void> {
  // Chunk names change with their content: last build's would pile up.
  await rm(SERVER_DIST, { recursive: true, force: true });
  await build({
    entryPoints: {
      main: path.join(PROJECT_ROOT, 'server', 'main.ts'),
      cli: path.join(PROJECT_ROOT, 'server', 'cli', 'main.ts'),
      // Forked by server/scanner/runner.ts, which finds it beside itself.
      'scan-process': path.join(PROJECT_ROOT, 'server', 'scanner', 'scan-process.ts'),
    },
    outdir: SERVER_DIST,
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    // Stack traces in logs name the server's own functions.
    minify: false,
    logLevel: 'warning',
  });
}

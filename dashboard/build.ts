/** Bundles the dashboard (Preact, signals, uPlot) into dist/dashboard: app.js, app.css and the index page. */
import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist', 'dashboard');

const INDEX_HTML = `<!doctype html>
<html lang="nb">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Samtykke</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard/assets/app.css">
</head>
<body>
<div id="app"></div>
<script type="module" src="/dashboard/assets/app.js"></script>
</body>
</html>
`;

/**
 * Builds into a folder of its own, then moves each file into place (a rename replaces a file in one step): several
 * test files build at once, and a build must never see or leave another one's half-written files.
 */
export async function buildDashboard(): Promise<void> {
  await mkdir(path.dirname(outdir), { recursive: true });
  const staging = await mkdtemp(path.join(path.dirname(outdir), '.dashboard-'));
  try {
    await build({
      entryPoints: { app: path.join(root, 'dashboard', 'main.tsx'), 'app-styles': path.join(root, 'dashboard', 'styles.css') },
      outdir: staging,
      entryNames: '[name]',
      bundle: true,
      minify: true,
      format: 'esm',
      target: 'es2022',
      jsx: 'automatic',
      jsxImportSource: 'preact',
      legalComments: 'none',
      logLevel: 'warning',
    });
    await writeFile(path.join(staging, 'index.html'), INDEX_HTML);
    await mkdir(outdir, { recursive: true });
    for (const file of await readdir(staging)) {
      // One stylesheet name for the server to serve: uPlot's styles are imported by styles.css.
      await rename(path.join(staging, file), path.join(outdir, file === 'app-styles.css' ? 'app.css' : file));
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

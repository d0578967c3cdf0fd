/** Bundles the dashboard (Preact, signals, uPlot) into dist/dashboard: app.js, app.css and the index page. */
import { mkdir, rename, writeFile } from 'node:fs/promises';
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

export async function buildDashboard(): Promise<void> {
  await mkdir(outdir, { recursive: true });
  await build({
    entryPoints: { app: path.join(root, 'dashboard', 'main.tsx'), 'app-styles': path.join(root, 'dashboard', 'styles.css') },
    outdir,
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
  // One stylesheet name for the server to serve: uPlot's styles are imported by styles.css.
  await rename(path.join(outdir, 'app-styles.css'), path.join(outdir, 'app.css'));
  await writeFile(path.join(outdir, 'index.html'), INDEX_HTML);
}

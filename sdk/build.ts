/**
 * Builds the client package into sdk/dist/: the main entry (no Node API, for React Native, Expo and Node), the
 * `./node` entry with the file storage, and the type declarations. Unminified: an app's bundler minifies.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { PROJECT_ROOT } from '../server/project-root.ts';

const SDK = path.join(PROJECT_ROOT, 'sdk');

/**
 * The declarations, file by file without a program (isolatedDeclarations holds the sources to explicit types, which
 * `tsc -p sdk` checks): milliseconds, where a program that loads @types/node takes seconds on every build.
 */
async function emitDeclarations(): Promise<void> {
  // TypeScript is a development dependency: a production install (`npm ci --omit=dev`) builds the server without it.
  const ts = await import('typescript').then((module) => module.default).catch(() => null);
  if (ts === null) return;
  const { options } = ts.parseJsonConfigFileContent(ts.readConfigFile(path.join(SDK, 'tsconfig.json'), ts.sys.readFile).config, ts.sys, SDK);
  const sources = (await readdir(path.join(SDK, 'src'))).filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'));
  await Promise.all(
    sources.map(async (name) => {
      const fileName = path.join(SDK, 'src', name);
      const { outputText, diagnostics } = ts.transpileDeclaration(await readFile(fileName, 'utf8'), { fileName, compilerOptions: options, reportDiagnostics: true });
      if (diagnostics?.length) {
        throw new Error(`sdk/src/${name}: ${ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (file) => file, getCurrentDirectory: () => SDK, getNewLine: () => '\n' })}`);
      }
      await writeFile(path.join(SDK, 'dist', name.replace(/\.ts$/, '.d.ts')), outputText);
    }),
  );
}

export async function buildSdk(): Promise<void> {
  const common = { bundle: true, format: 'esm', target: 'es2020', outdir: path.join(SDK, 'dist'), logLevel: 'warning', legalComments: 'none' } as const;
  await Promise.all([
    build({ ...common, entryPoints: { index: path.join(SDK, 'src', 'index.ts') }, platform: 'neutral' }),
    build({ ...common, entryPoints: { node: path.join(SDK, 'src', 'file-storage.ts') }, platform: 'node' }),
  ]);
  await emitDeclarations();
}

/** The client package as npm would ship it (built by `npm run build`, as the test run's setup does): complete, self-contained, no Node API in the app entry. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/project-root.ts';

const SDK = path.join(PROJECT_ROOT, 'sdk');

interface PackageJson {
  readonly name: string;
  readonly type: string;
  readonly dependencies?: Record<string, string>;
  readonly files: readonly string[];
  readonly exports: Record<string, string | { types: string; default: string }>;
}

describe('the client package', () => {
  const manifest = JSON.parse(readFileSync(path.join(SDK, 'package.json'), 'utf8')) as PackageJson;

  it('points every export at a built file with its types, and depends on nothing', () => {
    expect(manifest.type).toBe('module');
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.files).toContain('dist');
    for (const target of Object.values(manifest.exports)) {
      for (const file of typeof target === 'string' ? [target] : [target.types, target.default]) expect(existsSync(path.join(SDK, file)), file).toBe(true);
    }
  });

  it('checks without the DOM library, and with the explicit types its declarations are emitted from', () => {
    const { config } = ts.readConfigFile(path.join(SDK, 'tsconfig.json'), ts.sys.readFile);
    const { fileNames, options } = ts.parseJsonConfigFileContent(config, ts.sys, SDK);
    const program = ts.createProgram(fileNames, { ...options, noEmit: true });
    const problems = ts.getPreEmitDiagnostics(program).map((problem) => ts.flattenDiagnosticMessageText(problem.messageText, '\n'));
    expect(problems).toEqual([]);
  });

  it('runs from its bundle, which imports nothing: no package, no Node API for React Native to miss', async () => {
    const bundle = readFileSync(path.join(SDK, 'dist', 'index.js'), 'utf8');
    expect(bundle).not.toMatch(/^\s*import\s/m);
    expect(bundle).not.toMatch(/\brequire\(|\blocalStorage\b|\bBuffer\b|\bprocess\./);
    const built = (await import(path.join(SDK, 'dist', 'index.js'))) as typeof import('../../sdk/src/index.ts');
    expect(Object.keys(built)).toEqual(expect.arrayContaining(['createSamtykke', 'SamtykkeError', 'memoryStorage', 'secureStoreStorage', 'CATEGORIES']));
    await expect(built.createSamtykke({ endpoint: 'ftp://x', site: 'app', policyVersion: 1 })).rejects.toMatchObject({ name: 'SamtykkeError', code: 'invalid_options', field: 'endpoint' });
    const client = await built.createSamtykke({ endpoint: 'http://127.0.0.1:9', site: 'app', policyVersion: 1 });
    expect(client.consentId).toMatch(/^[0-9a-f]{32}$/);
    expect(() => client.track('signup', { screen: 'start' })).toThrow(built.SamtykkeError);
    await client.close();
  });
});

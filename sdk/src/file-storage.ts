/**
 * `@samtykke/client/node`: a StorageAdapter for Node programs, one JSON file holding every key. Written to a
 * temporary file and renamed over the old one, so a crash mid-write leaves the previous content, not half of it.
 * Kept out of the main entry: React Native has no node:fs.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { StorageAdapter } from './storage.js';

export type { StorageAdapter } from './storage.js';

export function fileStorage(file: string): StorageAdapter {
  let items: Promise<Record<string, string>> | null = null;
  let writing: Promise<void> = Promise.resolve();

  function load(): Promise<Record<string, string>> {
    items ??= readFile(file, 'utf8').then(
      (text) => JSON.parse(text) as Record<string, string>,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return {};
        throw error;
      },
    );
    return items;
  }

  function change(apply: (current: Record<string, string>) => void): Promise<void> {
    const written = writing.then(async () => {
      const current = await load();
      apply(current);
      await mkdir(path.dirname(file), { recursive: true });
      const temporary = `${file}.${process.pid}.tmp`;
      await writeFile(temporary, JSON.stringify(current));
      await rename(temporary, file);
    });
    writing = written.catch(() => undefined);
    return written;
  }

  return {
    getItem: async (key) => (await load())[key] ?? null,
    setItem: (key, value) => change((current) => void (current[key] = value)),
    removeItem: (key) => change((current) => void delete current[key]),
  };
}

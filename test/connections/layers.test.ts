import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../../src');

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** `from '…'` and `import('…')` specifiers of a file, resolved against src/. */
async function importsOf(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => m[1]!);
  return specifiers.map((s) => relative(SRC, join(file, '..', s)));
}

describe('layers', () => {
  // The application layer talks to Evotor and VK through ports (sync/ports.ts,
  // connections/ports.ts), so a use case never depends on an HTTP client or its errors.
  it('the domain and application layers import nothing from infrastructure, web or main', async () => {
    const offending: string[] = [];
    for (const layer of ['domain', 'application']) {
      for (const file of await sourceFiles(join(SRC, layer))) {
        for (const target of await importsOf(file)) {
          if (/^(infrastructure|web|main)\//.test(target))
            offending.push(`${relative(SRC, file)} → ${target}`);
        }
      }
    }
    expect(offending).toEqual([]);
  });
});

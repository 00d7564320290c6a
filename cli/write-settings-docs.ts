import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { withSettingsTable } from '../src/config/settings-docs.ts';

/** `npm run docs:settings`: rewrites the README's settings table from src/config/settings.ts. */
const readme = fileURLToPath(new URL('../README.md', import.meta.url));
const before = await readFile(readme, 'utf8');
const after = withSettingsTable(before);
if (after !== before) await writeFile(readme, after);
console.log(
  after === before ? 'README settings table is up to date.' : 'README settings table rewritten.',
);

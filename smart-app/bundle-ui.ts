import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export interface UiAssets {
  js: string;
  css: string;
  /** Content hash, for cache-busting asset URLs. */
  version: string;
}

const uiDir = fileURLToPath(new URL('./ui/', import.meta.url));

/** Bundles the browser UI in memory with esbuild (about 100 ms), minified, for one process. */
export async function bundleUi(): Promise<UiAssets> {
  const result = await build({
    entryPoints: [`${uiDir}main.tsx`],
    bundle: true,
    write: false,
    format: 'esm',
    minify: true,
    target: ['chrome110', 'firefox110', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const js = result.outputFiles[0]?.text ?? '';
  const css = await readFile(`${uiDir}app.css`, 'utf8');
  const version = createHash('sha256').update(js).update(css).digest('hex').slice(0, 12);
  return { js, css, version };
}

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
const billingDir = fileURLToPath(new URL('./billing-ui/', import.meta.url));

/** Bundles one browser entry in memory with esbuild (about 100 ms), minified, with its CSS. */
async function bundleEntry(entry: string, cssFile: string): Promise<UiAssets> {
  const result = await build({
    entryPoints: [entry],
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
  const css = await readFile(cssFile, 'utf8');
  const version = createHash('sha256').update(js).update(css).digest('hex').slice(0, 12);
  return { js, css, version };
}

/** The clinician's coding panel (`/assets/app.js`, `/assets/app.css`). */
export function bundleUi(): Promise<UiAssets> {
  return bundleEntry(`${uiDir}main.tsx`, `${uiDir}app.css`);
}

/**
 * The billing workspace (issue 17): its own bundle (`/assets/billing.js`, `/assets/billing.css`)
 * so the clinician's panel, loaded in every chart launch, does not carry the office's pages.
 */
export function bundleBillingUi(): Promise<UiAssets> {
  return bundleEntry(`${billingDir}main.tsx`, `${billingDir}billing.css`);
}

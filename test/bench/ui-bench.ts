import { gzipSync } from 'node:zlib';
import { bundleUi } from '../../smart-app/bundle-ui.ts';
import type { Bench } from './bench-types.ts';

/** What the browser downloads: the app's JavaScript and CSS, gzipped (budget: JS < 100 KB). */
export const uiBench: Bench = {
  name: 'ui',
  async run(report) {
    const assets = await bundleUi();
    const js = gzipSync(assets.js).length / 1024;
    report('ui_js_gzip', Math.round(js * 10) / 10, 'KB');
    report('ui_js_budget_ratio', Math.round((js / 100) * 1000) / 1000, 'of 100 KB');
    report('ui_css_gzip', Math.round((gzipSync(assets.css).length / 1024) * 10) / 10, 'KB');
  },
};

import { gzipSync } from 'node:zlib';
import { bundleBillingUi, bundleUi } from '../../smart-app/bundle-ui.ts';
import type { Bench } from './bench-types.ts';

const KB = 1024;

/**
 * What the browser downloads, gzipped: the clinician's panel (budget: JS < 100 KB) and the
 * billing workspace's pages (issue 17: JS < 60 KB), each its own bundle.
 */
export const uiBench: Bench = {
  name: 'ui',
  async run(report) {
    const [assets, billing] = await Promise.all([bundleUi(), bundleBillingUi()]);
    const js = gzipSync(assets.js).length / KB;
    report('ui_js_gzip', Math.round(js * 10) / 10, 'KB');
    report('ui_js_budget_ratio', Math.round((js / 100) * 1000) / 1000, 'of 100 KB');
    report('ui_css_gzip', Math.round((gzipSync(assets.css).length / KB) * 10) / 10, 'KB');
    const billingJs = gzipSync(billing.js).length / KB;
    report('billing_js_gzip', Math.round(billingJs * 10) / 10, 'KB');
    report('billing_js_budget_ratio', Math.round((billingJs / 60) * 1000) / 1000, 'of 60 KB');
    report('billing_css_gzip', Math.round((gzipSync(billing.css).length / KB) * 10) / 10, 'KB');
  },
};

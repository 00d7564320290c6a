import type { onRequestHookHandler } from 'fastify';
import { AppError } from '../../src/errors/app-error.ts';

/** The header the finish page's script sends the tab's binding secret in (a form cannot set it). */
export const BINDING_HEADER = 'x-chartbill-binding';

/**
 * Refuses a `POST /callback` that did not come from ChartBill's own page (login CSRF, OAuth 2.0
 * Security BCP §4.4.1.8). Three checks, each enough on its own in the browsers that support it:
 * Fetch Metadata (`Sec-Fetch-Site: same-origin`), `Origin` equal to the app's, and the binding in
 * a custom header, which a cross-site form cannot send and a cross-site `fetch` cannot send
 * without a CORS preflight that ChartBill never answers.
 */
export function refuseCrossSitePost(appOrigin: string): onRequestHookHandler {
  return (req, _reply, done) => {
    const site = req.headers['sec-fetch-site'];
    const origin = req.headers.origin;
    const why =
      site !== undefined && site !== 'same-origin'
        ? `sec-fetch-site ${site}`
        : origin !== appOrigin
          ? 'origin'
          : req.headers[BINDING_HEADER] === undefined
            ? 'no binding header'
            : undefined;
    if (!why) return done();
    req.log.warn({ why, origin: origin?.slice(0, 200) }, 'cross-site sign-in post refused');
    done(
      new AppError(
        'SMART_CROSS_SITE',
        'ChartBill refused a sign-in that was sent from another site.',
        { hint: 'Open ChartBill from the encounter in your EHR.' },
      ),
    );
  };
}

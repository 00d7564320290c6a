import { escapeHtml } from './html.ts';

/**
 * The page a user sees when a launch or sign-in fails: what went wrong and what to do, with the
 * error code for IT. Never a stack trace, a token, patient data or text taken from the request.
 * Its script (launch.js) takes `code` and `state` out of the address bar of a failed /callback.
 */
export function errorPage(
  title: string,
  message: string,
  hint: string | undefined,
  code: string,
): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ChartBill: ${escapeHtml(title)}</title><link rel="stylesheet" href="/assets/app.css">
<script type="module" src="/assets/launch.js"></script></head>
<body><main class="error-page" role="main">
<h1>${escapeHtml(title)}</h1>
<p class="error-message" role="alert">${escapeHtml(message)}</p>
${hint ? `<p class="error-hint"><strong>What to do:</strong> ${escapeHtml(hint)}</p>` : ''}
<p class="error-code">Error code for IT: <code>${escapeHtml(code)}</code></p>
</main></body></html>`;
}

const TITLES: Record<string, string> = {
  SMART_UNKNOWN_ISS: 'This EHR is not registered',
  SMART_MISSING_LAUNCH: 'This launch is incomplete',
  SMART_BAD_REQUEST: 'This launch is incomplete',
  SMART_STATE_MISMATCH: 'This sign-in link is not valid',
  SMART_AUTHORIZATION_DENIED: 'The EHR did not authorize ChartBill',
  SMART_DISCOVERY_FAILED: 'The EHR could not be reached',
  SMART_TOKEN_FAILED: 'Sign-in with the EHR failed',
  SMART_ID_TOKEN_INVALID: 'Sign-in with the EHR failed',
  SMART_CROSS_SITE: 'This sign-in was not started here',
  LAUNCHES_BUSY: 'ChartBill is busy',
  RATE_LIMITED: 'Too many requests',
};

/** A short title for an error code's page. */
export function errorTitle(code: string): string {
  return TITLES[code] ?? 'ChartBill could not open';
}

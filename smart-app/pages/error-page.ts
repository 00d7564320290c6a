import { ERROR_CODES, type ErrorCode } from '../../src/errors/error-codes.ts';
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

/** A short title for an error code's page: the code's declared message (src/errors/error-codes.ts). */
export function errorTitle(code: string): string {
  return Object.hasOwn(ERROR_CODES, code)
    ? ERROR_CODES[code as ErrorCode].message
    : 'ChartBill could not open';
}

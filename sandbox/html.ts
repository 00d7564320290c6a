/** A string already safe to put in HTML. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Escapes text for HTML element content and double-quoted attributes (OWASP XSS rule #1/#2). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

type HtmlValue = string | number | SafeHtml | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === undefined) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** Tagged template that escapes every interpolated value unless it is SafeHtml (e.g. nested `html`). */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** A whole page: language, title, the sandbox stylesheet (served from /ehr/ehr.css so the CSP needs no inline styles). */
export function page(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="/ehr/ehr.css">
</head>
<body>
${body}
</body>
</html>`.value;
}

/** Content-Security-Policy for sandbox pages: nothing inline, frames and form targets limited to the given origins. */
export function pageCsp(
  opts: { frameSrc?: string[]; formAction?: string[]; frameAncestors?: string[] } = {},
): string {
  const list = (extra: string[] | undefined): string => ["'self'", ...(extra ?? [])].join(' ');
  return [
    "default-src 'none'",
    "style-src 'self'",
    "img-src 'self' data:",
    `frame-src ${list(opts.frameSrc)}`,
    `form-action ${list(opts.formAction)}`,
    `frame-ancestors ${list(opts.frameAncestors)}`,
    "base-uri 'none'",
  ].join('; ');
}

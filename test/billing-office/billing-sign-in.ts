import type { SandboxStack } from '../../cli/sandbox-stack.ts';
import { sessionHandleIn, startLaunch } from '../app/launch-driver.ts';

/**
 * A billing workspace sign-in as a browser does it: the app's /billing/launch, the sandbox's
 * sign-in page (choosing `userId`), the callback. Returns the session handle the page receives.
 */
export async function billingSignIn(stack: SandboxStack, userId: string): Promise<string> {
  const started = await startLaunch(`${stack.appUrl}/billing/launch`);
  const picker = await fetch(started.authorizeUrl, { redirect: 'manual' });
  const page = await picker.text();
  const pending = /name="pending" value="([^"]+)"/.exec(page)?.[1];
  if (picker.status !== 200 || !pending)
    throw new Error(`the sign-in page answered ${picker.status}: ${page.slice(0, 300)}`);
  const chosen = await fetch(new URL('/oauth/authorize/user', started.authorizeUrl), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ pending, user: userId }).toString(),
  });
  const location = chosen.headers.get('location');
  if (chosen.status !== 303 || !location)
    throw new Error(`signing in as ${userId} answered ${chosen.status}`);
  const res = await fetch(location, { headers: { cookie: started.cookie } });
  const html = await res.text();
  const handle = sessionHandleIn(html);
  if (!handle) throw new Error(`callback answered ${res.status}: ${html.slice(0, 300)}`);
  return handle;
}

/** Calls the billing API as a signed-in user. */
export async function billingApi(
  stack: SandboxStack,
  handle: string | undefined,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<{ status: number; json: Record<string, unknown>; text: string }> {
  const res = await fetch(`${stack.appUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(handle ? { authorization: `Bearer ${handle}` } : {}),
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = {};
  }
  return { status: res.status, json, text };
}

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Frame, Page } from 'playwright-core';

/** The ChartBill iframe of an EHR page, once its document is the app (or an error page). */
export async function appFrame(page: Page): Promise<Frame> {
  const handle = await page.locator('iframe[title="ChartBill"]').elementHandle();
  const frame = await handle.contentFrame();
  if (!frame) throw new Error('the EHR page has no ChartBill iframe');
  return frame;
}

/** What a page keeps in web storage, as `key=value` lines: where a token must never be. */
export async function webStorage(frame: Frame): Promise<{ local: string[]; session: string[] }> {
  return frame.evaluate(() => {
    const dump = (s: Storage) =>
      Array.from(
        { length: s.length },
        (_v, i) => `${s.key(i) ?? ''}=${s.getItem(s.key(i) ?? '') ?? ''}`,
      );
    return { local: dump(localStorage), session: dump(sessionStorage) };
  });
}

/** Calls the app's API from inside the app's frame with the tab's session handle, as the UI does. */
export async function apiFromFrame(frame: Frame, paths: string[]): Promise<number[]> {
  return frame.evaluate(async (list) => {
    const handle = sessionStorage.getItem('chartbill.session') ?? '';
    const answers = await Promise.all(
      list.map((p) => fetch(p, { headers: { authorization: `Bearer ${handle}` } })),
    );
    return answers.map((r) => r.status);
  }, paths);
}

/**
 * A tiny page server (no CSP of its own) listening on 127.0.0.1: the "other EHR" page. Reached as
 * http://localhost:<port> it is another site than the app on 127.0.0.1. `show` sets the page.
 */
export async function hostPage(): Promise<{
  port: number;
  show: (html: string) => void;
  close: () => Promise<void>;
}> {
  let page = '<!doctype html><title>empty</title>';
  const server: Server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    show: (html) => void (page = html),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

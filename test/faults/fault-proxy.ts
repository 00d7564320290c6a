import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy may do to one request. */
export type Fault =
  | 'pass'
  | 'status-500'
  | 'status-503'
  | 'status-429'
  | 'status-403'
  | 'slow'
  | 'reset-before'
  | 'reset-after';

export interface FaultProxyOptions {
  /** Origin to forward to, e.g. `http://127.0.0.1:4410`. */
  target: string;
  /** Chooses the fault for the n-th request (0-based). */
  choose: (n: number, req: IncomingMessage) => Fault;
  /** How long a `slow` answer is held back (beyond the client's timeout). */
  slowMs?: number;
  /** `Retry-After` of a 429, in seconds. */
  retryAfterSeconds?: number;
  /** Rewrites each JSON answer body (a non-conformant server: fields dropped, shapes broken). */
  rewrite?: (body: unknown) => unknown;
  /** Added before every forwarded request: a server across a network rather than on localhost. */
  latencyMs?: number;
  /**
   * Rewrites the proxy's origin in request URLs and bodies back to the target's (plain and
   * percent-encoded), so a client can be given the proxy as its server throughout, OAuth `aud` included.
   */
  rewriteRequests?: boolean;
  /** Chooses a fault from the request body too (e.g. refuse batches of one resource type); overrides `choose`. */
  chooseByBody?: (req: IncomingMessage, body: string) => Fault | undefined;
}

export interface ProxyRecord {
  method: string;
  path: string;
  fault: Fault;
  at: number;
}

export interface FaultProxy {
  /** The proxy's origin; use it in place of the target's. */
  origin: string;
  /** Every request seen, in order. */
  records: ProxyRecord[];
  /** Requests per fault kind. */
  counts(): Record<Fault, number>;
  /** The most requests the proxy had in hand at once. */
  maxInFlight(): number;
  close(): Promise<void>;
}

/**
 * A misbehaving HTTP proxy in front of a real server: it answers 500/503, 429 with
 * `Retry-After`, holds answers past the client's timeout, or destroys the socket before or
 * after forwarding (so the server may have done the work while the client never hears of it).
 * Response bodies and `Location` have the target's origin rewritten to the proxy's, so paging
 * links come back through it too.
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const records: ProxyRecord[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let origin = '';
  let n = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer((req, res) => {
    const fault = options.choose(n++, req);
    records.push({ method: req.method ?? 'GET', path: req.url ?? '/', fault, at: Date.now() });
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    res.on('close', () => {
      inFlight -= 1;
    });
    void handle(req, res, fault).catch(() => req.socket.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse, chosen: Fault): Promise<void> {
    const body = await readBody(req);
    const fault = options.chooseByBody?.(req, body.toString()) ?? chosen;
    if (fault !== chosen) {
      const record = records.findLast((r) => r.path === (req.url ?? '/') && r.fault === chosen);
      if (record) record.fault = fault;
    }
    if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
    switch (fault) {
      case 'reset-before':
        req.socket.destroy();
        return;
      case 'status-500':
      case 'status-503':
        res
          .writeHead(fault === 'status-500' ? 500 : 503, {
            'content-type': 'application/fhir+json',
          })
          .end(JSON.stringify(outcome('injected failure')));
        return;
      case 'status-429':
        res
          .writeHead(429, {
            'content-type': 'application/fhir+json',
            'retry-after': String(options.retryAfterSeconds ?? 1),
          })
          .end(JSON.stringify(outcome('slow down')));
        return;
      case 'status-403':
        // A server that does not let this client do this at all (e.g. no AuditEvent for us).
        res
          .writeHead(403, { 'content-type': 'application/fhir+json' })
          .end(JSON.stringify(outcome('forbidden here')));
        return;
      case 'pass':
      case 'slow':
      case 'reset-after':
        break;
      default:
        fault satisfies never;
    }
    const answer = await forward(req, body);
    if (fault === 'reset-after') {
      req.socket.destroy();
      return;
    }
    const send = () => {
      if (!res.destroyed) res.writeHead(answer.status, answer.headers).end(answer.body);
    };
    if (fault === 'slow') {
      const timer = setTimeout(() => {
        timers.delete(timer);
        send();
      }, options.slowMs ?? 1500);
      timers.add(timer);
    } else send();
  }

  async function forward(
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (
        value === undefined ||
        ['host', 'connection', 'content-length', 'transfer-encoding', 'accept-encoding'].includes(
          name,
        )
      )
        continue;
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const method = req.method ?? 'GET';
    const toTarget = (text: string) =>
      options.rewriteRequests
        ? text
            .split(origin)
            .join(options.target)
            .split(encodeURIComponent(origin))
            .join(encodeURIComponent(options.target))
        : text;
    const sent = options.rewriteRequests ? Buffer.from(toTarget(body.toString('utf8'))) : body;
    const res = await fetch(`${options.target}${toTarget(req.url ?? '/')}`, {
      method,
      headers,
      redirect: 'manual',
      ...(method === 'GET' || method === 'HEAD' ? {} : { body: new Uint8Array(sent) }),
    });
    let text = (await res.text()).split(options.target).join(origin);
    if (options.rewrite && text.startsWith('{'))
      text = JSON.stringify(options.rewrite(JSON.parse(text)));
    const out: Record<string, string> = {};
    res.headers.forEach((value, name) => {
      if (
        ![
          'content-length',
          'content-encoding',
          'transfer-encoding',
          'connection',
          'keep-alive',
        ].includes(name)
      )
        out[name] = value.split(options.target).join(origin);
    });
    return { status: res.status, headers: out, body: Buffer.from(text) };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  return {
    origin,
    records,
    maxInFlight: () => maxInFlight,
    counts() {
      const counts: Record<Fault, number> = {
        pass: 0,
        'status-500': 0,
        'status-503': 0,
        'status-429': 0,
        'status-403': 0,
        slow: 0,
        'reset-before': 0,
        'reset-after': 0,
      };
      for (const r of records) counts[r.fault] += 1;
      return counts;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A deterministic pseudo-random source (mulberry32), so a failing run can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Picks faults at the given rates (the rest pass), from a seeded random source. */
export function faultsAtRates(
  rates: Partial<Record<Exclude<Fault, 'pass'>, number>>,
  random: () => number,
): () => Fault {
  const table = Object.entries(rates) as [Fault, number][];
  return () => {
    let roll = random();
    for (const [fault, rate] of table) {
      if (roll < rate) return fault;
      roll -= rate;
    }
    return 'pass';
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function outcome(text: string): object {
  return {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code: 'transient', diagnostics: text }],
  };
}

import { randomUUID } from 'node:crypto';
import { Agent, fetch, type Dispatcher } from 'undici';
import { AppError } from '../../errors/app-error.ts';
import {
  DEFAULT_RETRY,
  retryDecision,
  sleepMs,
  type RetryPolicy,
} from '../../http/retry-policy.ts';
import type { Logger } from '../../log/create-logger.ts';
import { readConfigFile, readSecret, type CoreConfig } from '../clearinghouse-config.ts';
import type { CorePayloadType, RealTimeTransport } from './clearinghouse-transport.ts';
import {
  CORE_ANSWER_TYPES,
  CORE_RULE_VERSION,
  coreErrorWords,
  coreForm,
  readCoreForm,
} from './core-envelope.ts';

export interface CoreTransportDeps {
  logger?: Logger;
  random?: () => number;
  now?: () => Date;
}

/**
 * Real-time X12 over HTTPS as the CAQH CORE Connectivity Rule vC2.2.0 describes it: a POST of
 * multipart/form-data with ProcessingMode RealTime, the PayloadType, a fresh PayloadID (UUID),
 * the TimeStamp, SenderID, ReceiverID, CORERuleVersion 2.2.0 and the X12 as Payload; HTTP Basic
 * auth or a client certificate. The answer's envelope is read back: `ErrorCode` other than
 * Success is refused with the code in words. 270 and 276 are inquiries, safe to repeat, so
 * ChartBill's one retry policy applies to timeouts and 5xx (`PAYER_UNAVAILABLE` at the end).
 */
export function createCoreRealTimeTransport(
  config: CoreConfig,
  deps: CoreTransportDeps = {},
): RealTimeTransport {
  const policy: RetryPolicy = { ...DEFAULT_RETRY, attempts: 3, timeoutMs: config.timeoutMs };
  const random = deps.random ?? Math.random;
  const now = deps.now ?? (() => new Date());
  const where = new URL(config.url);
  const describe = `CAQH CORE ${where.origin}${where.pathname}`;
  let dispatcher: Promise<Dispatcher | undefined> | undefined;

  async function clientCertificate(): Promise<Dispatcher | undefined> {
    if (config.auth.kind !== 'certificate') return undefined;
    const [cert, key] = await Promise.all([
      readConfigFile(config.auth.certFile, 'CHARTBILL_X12_CORE_CERT_FILE'),
      readConfigFile(config.auth.keyFile, 'CHARTBILL_X12_CORE_KEY_FILE'),
    ]);
    return new Agent({ connect: { cert, key } });
  }

  async function headers(): Promise<Record<string, string>> {
    if (config.auth.kind !== 'basic') return {};
    const password = await readSecret(config.auth.password);
    const token = Buffer.from(`${config.auth.user}:${password}`).toString('base64');
    return { authorization: `Basic ${token}` };
  }

  async function send(payloadType: CorePayloadType, x12: string, payloadId: string) {
    dispatcher ??= clientCertificate();
    const form = coreForm({
      PayloadType: payloadType,
      ProcessingMode: 'RealTime',
      PayloadID: payloadId,
      TimeStamp: now()
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
      SenderID: config.senderId,
      ReceiverID: config.receiverId,
      CORERuleVersion: CORE_RULE_VERSION,
      Payload: x12,
    });
    const agent = await dispatcher;
    return fetch(config.url, {
      method: 'POST',
      body: form,
      headers: await headers(),
      signal: AbortSignal.timeout(policy.timeoutMs),
      ...(agent ? { dispatcher: agent } : {}),
    });
  }

  return {
    describe,
    async exchange(payloadType, x12) {
      const payloadId = randomUUID();
      const counts = { attempts: 0, conflicts: 0, quotaWaits: 0 };
      for (;;) {
        counts.attempts += 1;
        let status: number | undefined;
        let retryAfter: string | undefined;
        try {
          const response = await send(payloadType, x12, payloadId);
          status = response.status;
          retryAfter = response.headers.get('retry-after') ?? undefined;
          if (status < 500 && status !== 429) return await answerOf(response, payloadType);
          await response.body?.cancel();
        } catch (err) {
          if (err instanceof AppError) throw err;
          deps.logger?.warn({ attempt: counts.attempts, err: String(err) }, 'CORE request failed');
        }
        const decision = retryDecision(
          { status, retryAfter },
          { repeatable: true, conditionalCreate: false },
          counts,
          policy,
          random,
        );
        if (!decision.retry) throw unavailableAfter(describe, status, counts.attempts);
        await sleepMs(decision.delayMs);
      }
    },
  };

  async function answerOf(
    response: Awaited<ReturnType<typeof fetch>>,
    payloadType: CorePayloadType,
  ): Promise<string> {
    const contentType = response.headers.get('content-type') ?? '';
    const body = new Uint8Array(await response.arrayBuffer());
    if (response.status === 401 || response.status === 403)
      throw new AppError(
        'CONFIG_INVALID',
        `The clearinghouse's real-time endpoint (${describe}) refused ChartBill's credentials (HTTP ${response.status})`,
        {
          hint: 'Check CHARTBILL_X12_CORE_USER and its password file, or the client certificate.',
          upstreamStatus: response.status,
        },
      );
    const fields = await readCoreForm(body, contentType).catch(() => undefined);
    const code = fields?.ErrorCode ?? (response.ok ? '' : `HTTP ${response.status}`);
    if (!fields || (code && code !== 'Success'))
      throw new AppError(
        'PAYER_REJECTED',
        `The clearinghouse refused the ${payloadType.slice(4, 7)} request: ${code ? `${code} (${coreErrorWords(code)})` : 'its answer is not a CORE envelope'}${fields?.ErrorMessage ? `: ${fields.ErrorMessage.slice(0, 300)}` : ''}`,
        { upstreamStatus: response.status },
      );
    const expected = CORE_ANSWER_TYPES[payloadType];
    if (
      !fields.Payload ||
      (fields.PayloadType !== expected && !fields.PayloadType?.startsWith('X12_999'))
    )
      throw new AppError(
        'PAYER_REJECTED',
        `The clearinghouse answered a ${payloadType.slice(4, 7)} with payload type '${fields.PayloadType ?? ''}' where ${expected ?? 'an X12 answer'} was expected`,
        { upstreamStatus: response.status },
      );
    return fields.Payload;
  }
}

/** The clearinghouse could not be reached, or kept failing: retry later. */
function unavailableAfter(describe: string, httpStatus: number | undefined, attempts: number) {
  return new AppError(
    'PAYER_UNAVAILABLE',
    `The clearinghouse's real-time endpoint (${describe}) ${httpStatus === undefined ? 'did not answer' : `answered HTTP ${httpStatus}`} after ${attempts} attempts`,
    {
      hint: 'ChartBill tries again later.',
      ...(httpStatus ? { upstreamStatus: httpStatus } : {}),
    },
  );
}

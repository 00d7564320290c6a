import { randomUUID, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from '../../src/log/create-logger.ts';
import {
  CORE_ACK_TYPE,
  CORE_ANSWER_TYPES,
  CORE_ERROR_TYPE,
  CORE_RULE_VERSION,
  coreBody,
  readCoreForm,
  type CoreEnvelope,
} from '../../src/x12/transport/core-envelope.ts';
import { CLEARINGHOUSE } from './answer-envelope.ts';
import { check837 } from './check-837.ts';
import type { IntakeState } from './claim-intake.ts';
import type { MemberLookup } from './members.ts';
import { answer270, answer276, readInquiry } from './realtime-answers.ts';
import { accepted, build999, buildTa1 } from './write-acks.ts';

export interface CoreEndpointOptions {
  /** HTTP Basic credentials the endpoint accepts. */
  user: string;
  password: string;
  members: MemberLookup;
  state: IntakeState;
  logger: Logger;
  now: () => Date;
  /** Real-time requests answered so far, by payload type (for tests). */
  counts: Record<string, number>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The sandbox clearinghouse's CAQH CORE real-time endpoint (Connectivity Rule vC2.2.0, HTTP MIME
 * multipart): `POST /core/realtime` with HTTP Basic auth. Every envelope field is checked the way
 * the rule lists its errors (a missing one is `…Required`, a wrong one `…Illegal`,
 * `VersionMismatch`); a 270 is answered with a 271, a 276 with a 277, and X12 that does not
 * parse with a 999 (or TA1) saying where.
 */
export function buildCoreEndpoint(options: CoreEndpointOptions): FastifyInstance {
  const loggerInstance: FastifyBaseLogger = options.logger;
  const app = Fastify({ loggerInstance, bodyLimit: 1024 * 1024 });
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (_req, body, done) =>
    done(null, body),
  );
  const expected = Buffer.from(
    `Basic ${Buffer.from(`${options.user}:${options.password}`).toString('base64')}`,
  );

  app.post('/core/realtime', async (request, reply) => {
    const base = {
      ProcessingMode: 'RealTime' as const,
      TimeStamp: options
        .now()
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
      SenderID: CLEARINGHOUSE.id,
      CORERuleVersion: CORE_RULE_VERSION,
    };
    const given = Buffer.from(request.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      void reply.header('www-authenticate', 'Basic realm="sandbox clearinghouse"');
      return envelopeError(reply, 401, base, 'UnAuthorized', 'Sign in with HTTP Basic auth.');
    }
    const fields = await readCoreForm(
      request.body as Buffer,
      request.headers['content-type'] ?? '',
    ).catch(() => undefined);
    if (!fields)
      return envelopeError(
        reply,
        400,
        base,
        'PayloadRequired',
        'The body is not multipart/form-data.',
      );
    const problem = envelopeProblem(fields);
    const echo = { ...base, PayloadID: fields.PayloadID ?? '', ReceiverID: fields.SenderID ?? '' };
    if (problem) return envelopeError(reply, 400, echo, problem.code, problem.message);
    const payloadType = fields.PayloadType ?? '';
    options.counts[payloadType] = (options.counts[payloadType] ?? 0) + 1;
    const answer = await answerPayload(fields.Payload ?? '', options);
    const body = await coreBody({
      ...echo,
      PayloadType: answer.ack ? CORE_ACK_TYPE : (CORE_ANSWER_TYPES[payloadType] ?? ''),
      Payload: answer.x12,
      ErrorCode: 'Success',
      ErrorMessage: 'None',
    });
    return reply.status(200).header('content-type', body.contentType).send(body.body);
  });
  return app;
}

/** The first thing wrong with a request's envelope, as the rule's error code. */
function envelopeProblem(
  f: Partial<Record<keyof CoreEnvelope, string>>,
): { code: string; message: string } | undefined {
  const required = [
    'PayloadType',
    'ProcessingMode',
    'PayloadID',
    'TimeStamp',
    'SenderID',
    'ReceiverID',
    'CORERuleVersion',
    'Payload',
  ] as const;
  for (const name of required)
    if (!f[name]) return { code: `${name}Required`, message: `${name} is missing.` };
  if (f.CORERuleVersion !== CORE_RULE_VERSION)
    return { code: 'VersionMismatch', message: `This endpoint speaks CORE ${CORE_RULE_VERSION}.` };
  if (!CORE_ANSWER_TYPES[f.PayloadType ?? ''])
    return {
      code: 'PayloadTypeIllegal',
      message: `Real time takes ${Object.keys(CORE_ANSWER_TYPES).join(', ')}.`,
    };
  if (f.ProcessingMode !== 'RealTime')
    return { code: 'ProcessingModeIllegal', message: 'This endpoint answers RealTime requests.' };
  if (!UUID.test(f.PayloadID ?? ''))
    return { code: 'PayloadIDIllegal', message: 'PayloadID must be a UUID.' };
  if (!DATE_TIME.test(f.TimeStamp ?? ''))
    return { code: 'TimeStampIllegal', message: 'TimeStamp must be an XML dateTime.' };
  if (f.ReceiverID !== CLEARINGHOUSE.id)
    return { code: 'ReceiverIDIllegal', message: `This clearinghouse is ${CLEARINGHOUSE.id}.` };
  return undefined;
}

async function answerPayload(
  x12: string,
  options: CoreEndpointOptions,
): Promise<{ x12: string; ack: boolean }> {
  const now = options.now();
  const checked = await check837(x12);
  const control = () => options.state.nextControl();
  if (checked.interchangeNote)
    return {
      x12: buildTa1(checked.sender, checked.interchange, checked.interchangeNote, control(), now),
      ack: true,
    };
  const bad = checked.transactions.some((t) => !accepted(t, checked));
  if (bad || checked.transactions.length === 0)
    return { x12: build999(checked, control(), now), ack: true };
  const inquiry = await readInquiry(x12);
  return {
    x12:
      inquiry.set === '270'
        ? answer270(inquiry, options.members, options.state, now)
        : answer276(inquiry, options.state, now),
    ack: false,
  };
}

async function envelopeError(
  reply: FastifyReply,
  status: number,
  base: Omit<CoreEnvelope, 'PayloadType' | 'PayloadID' | 'ReceiverID' | 'Payload'> &
    Partial<CoreEnvelope>,
  code: string,
  message: string,
) {
  const body = await coreBody({
    PayloadID: randomUUID(),
    ReceiverID: '',
    Payload: '',
    ...base,
    PayloadType: CORE_ERROR_TYPE,
    ErrorCode: code,
    ErrorMessage: message,
  });
  return reply.status(status).header('content-type', body.contentType).send(body.body);
}

import busboy from 'busboy';
import { FormData, Response } from 'undici';
import { AppError } from '../../errors/app-error.ts';

/**
 * The CAQH CORE Connectivity Rule vC2.2.0 HTTP MIME multipart envelope (Phase II): the fields
 * of a real-time request and its answer, shared by ChartBill's client and the sandbox
 * clearinghouse so both spell them the same way.
 */
export const CORE_RULE_VERSION = '2.2.0';

/** The envelope fields, in the order the rule lists them. */
export interface CoreEnvelope {
  PayloadType: string;
  ProcessingMode: 'RealTime' | 'Batch';
  PayloadID: string;
  /** XML Schema dateTime, e.g. `2026-03-04T10:20:34Z`. */
  TimeStamp: string;
  SenderID: string;
  ReceiverID: string;
  CORERuleVersion: string;
  Payload: string;
  /** Answers only: `Success` or what was wrong with the envelope. */
  ErrorCode?: string;
  ErrorMessage?: string;
}

/** The payload types of the answers (the request types are `CorePayloadType`). */
export const CORE_ANSWER_TYPES: Readonly<Record<string, string>> = {
  X12_270_Request_005010X279A1: 'X12_271_Response_005010X279A1',
  X12_276_Request_005010X212: 'X12_277_Response_005010X212',
};
export const CORE_ACK_TYPE = 'X12_999_Response_005010X231A1';
export const CORE_ERROR_TYPE = 'CoreEnvelopeError';

/** CORE envelope error codes (Connectivity Rule vC2.2.0 §4) in words for billing staff and admins. */
export const CORE_ERROR_TEXT: Readonly<Record<string, string>> = {
  Success: 'accepted',
  PayloadTypeRequired: 'the request names no payload type',
  PayloadTypeIllegal: 'the clearinghouse does not take this payload type',
  ProcessingModeRequired: 'the request names no processing mode',
  ProcessingModeIllegal: 'the processing mode is not RealTime or Batch',
  PayloadIDRequired: 'the request has no payload id',
  PayloadIDIllegal: 'the payload id is not a valid UUID',
  TimeStampRequired: 'the request has no time stamp',
  TimeStampIllegal: 'the time stamp is not an XML dateTime',
  SenderIDRequired: 'the request names no sender id',
  SenderIDIllegal: 'the sender id is not one the clearinghouse knows for this user',
  ReceiverIDRequired: 'the request names no receiver id',
  ReceiverIDIllegal: 'the receiver id is not this clearinghouse',
  CORERuleVersionRequired: 'the request names no CORE rule version',
  VersionMismatch: 'the clearinghouse speaks another CORE rule version',
  PayloadRequired: 'the request carries no X12 payload',
  UnAuthorized: 'the user name and password (or certificate) were refused',
  Receiver_Busy: 'the clearinghouse is busy; try again later',
};

/** The words for an envelope error code (unknown codes are shown as they are). */
export function coreErrorWords(code: string): string {
  return CORE_ERROR_TEXT[code] ?? `error code ${code}`;
}

/** An envelope as multipart/form-data (RFC 7578), one text part per field. */
export function coreForm(envelope: CoreEnvelope): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(envelope))
    if (typeof value === 'string') form.append(name, value);
  return form;
}

/**
 * A multipart/form-data body (RFC 7578) as text fields by name, parsed with busboy (the parser
 * fastify's own multipart support is built on); file parts are read as text too. Refuses a
 * body that is not multipart, or larger than a real-time transaction can be (1 MB).
 */
export async function readCoreForm(
  body: Uint8Array | string,
  contentType: string,
): Promise<Partial<Record<keyof CoreEnvelope, string>>> {
  if (!/^multipart\/form-data\s*;/i.test(contentType))
    throw new AppError(
      'INPUT_INVALID',
      `A CORE message is multipart/form-data, not '${contentType.slice(0, 60)}'`,
    );
  return new Promise((resolve, reject) => {
    const out: Record<string, string> = {};
    const refuse = (why: string, cause?: unknown) =>
      reject(new AppError('INPUT_INVALID', `The CORE message is not usable: ${why}`, { cause }));
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { 'content-type': contentType },
        limits: { fieldSize: MAX_PART, fileSize: MAX_PART, fields: 20, files: 2 },
      });
    } catch (err) {
      refuse('its multipart boundary is missing', err);
      return;
    }
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) refuse(`${name} is larger than 1 MB`);
      out[name] = value;
    });
    parser.on('file', (name, stream) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => refuse(`${name} is larger than 1 MB`));
      stream.on('end', () => (out[name] = Buffer.concat(chunks).toString('utf8')));
    });
    parser.on('error', (err) => refuse('it is not valid multipart/form-data', err));
    parser.on('close', () => resolve(out));
    parser.end(typeof body === 'string' ? Buffer.from(body) : Buffer.from(body));
  });
}

const MAX_PART = 1024 * 1024;

/** A whole envelope as a multipart body and its content type (for a server's answer). */
export async function coreBody(
  envelope: CoreEnvelope,
): Promise<{ body: Buffer; contentType: string }> {
  const response = new Response(coreForm(envelope));
  return {
    body: Buffer.from(await response.arrayBuffer()),
    contentType: response.headers.get('content-type') ?? 'multipart/form-data',
  };
}

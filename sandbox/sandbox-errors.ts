import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendFhir } from './fhir-routes.ts';
import { errorAnswer, type IssueType } from './fhir-response.ts';
import { html, page, pageCsp } from './html.ts';

function issueFor(status: number): IssueType {
  if (status === 413) return 'too-costly';
  if (status === 404) return 'not-found';
  return status < 500 ? 'invalid' : 'exception';
}

/** A message safe to show: fastify's own 4xx messages (bad JSON, too large); never a 5xx's details or a stack. */
function publicMessage(err: FastifyError, status: number): string {
  if (status >= 500) return 'The server hit an unexpected error';
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return 'The request body is larger than the 5 MB this server accepts';
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return 'Unsupported content type; send application/fhir+json';
  return err.message;
}

function reply(
  request: FastifyRequest,
  res: FastifyReply,
  status: number,
  message: string,
): FastifyReply {
  const path = request.url.split('?')[0] ?? '';
  if (path === '/fhir' || path.startsWith('/fhir/'))
    return sendFhir(res, errorAnswer(status, issueFor(status), message));
  if (path.startsWith('/oauth/token')) {
    return res
      .code(status)
      .header('cache-control', 'no-store')
      .send({
        error: status >= 500 ? 'server_error' : 'invalid_request',
        error_description: message,
      });
  }
  return res
    .code(status)
    .header('content-security-policy', pageCsp())
    .type('text/html; charset=utf-8')
    .send(page('Error', html`<main><h1>Error ${status}</h1><p role="alert">${message}</p></main>`));
}

/**
 * The one error boundary of the sandbox server (STYLE: one catch per boundary): FHIR paths answer
 * with an OperationOutcome, the token endpoint with an RFC 6749 error, pages with HTML. 5xx are
 * logged with the error and answered without details; stacks never leave the process.
 */
export function registerSandboxErrors(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, res) => {
    const status =
      typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600
        ? err.statusCode
        : 500;
    if (status >= 500) request.log.error({ err }, 'sandbox request failed');
    return reply(request, res, status, publicMessage(err, status));
  });
  app.setNotFoundHandler((request, res) =>
    reply(request, res, 404, `No route for ${request.method} ${request.url.split('?')[0] ?? ''}`),
  );
}

/**
 * Errors fastify raises before routing (a URL that is not validly percent-encoded, a bad
 * content type header): passed to `Fastify({ frameworkErrors })` so that they too answer with an
 * OperationOutcome on FHIR paths, and never echo the URL.
 */
export function sandboxFrameworkErrors(
  err: FastifyError,
  request: FastifyRequest,
  res: FastifyReply,
): void {
  const status =
    typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500
      ? err.statusCode
      : 400;
  void reply(
    request,
    res,
    status,
    err.code === 'FST_ERR_BAD_URL'
      ? 'The URL is not validly percent-encoded'
      : 'The request is malformed',
  );
}

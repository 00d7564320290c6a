import type { FhirExchangeEvent, FhirRetryEvent } from '../../src/fhir/http-fhir-gateway.ts';
import type { Logger } from '../../src/log/create-logger.ts';
import type { AdaptiveConcurrency } from '../tick/adaptive-concurrency.ts';
import type { WorkerMetrics } from './worker-metrics.ts';

/**
 * What the worker's FHIR gateways tell it: every exchange is counted for `/metrics` and fed to
 * adaptive concurrency (a 429, a 503, a serialization conflict or no answer at all is the server
 * pushing back); every retry is logged, a quota wait at `warn` with how long it waits.
 */
export function fhirObserver(
  server: 'ehr' | 'clinical' | 'billing',
  metrics: Pick<WorkerMetrics, 'countRequest'>,
  log: Logger,
  adaptive?: Pick<AdaptiveConcurrency, 'observe'>,
): {
  onExchange: (event: FhirExchangeEvent) => void;
  onRetry: (event: FhirRetryEvent) => void;
} {
  return {
    onExchange(event) {
      metrics.countRequest(server, event.resource, event.interaction, event.status);
      const pushback =
        event.conflict ||
        event.status === undefined ||
        event.status === 429 ||
        event.status === 503;
      // A conflict is retried at once and costs the server little: a milder cut than overload.
      const overload = event.status === undefined || event.status === 429 || event.status === 503;
      adaptive?.observe({ ms: event.ms, pushback, mild: !overload });
    },
    onRetry(event) {
      const fields = { server, request: event.what, status: event.status, ms: event.delayMs };
      if (event.reason === 'quota')
        log.warn(
          { ...fields, waitFrom: event.detail },
          event.detail === 'outcome'
            ? 'FHIR server answered 429 without Retry-After; waiting the time its OperationOutcome names for its quota'
            : 'FHIR server answered 429 without Retry-After; waiting a whole per-minute quota window',
        );
      else if (event.reason === 'serialization-conflict')
        log.info(
          fields,
          'serialization conflict on a conditional create; sending it again at once',
        );
      else log.debug({ ...fields, reason: event.reason }, 'FHIR request retried');
    },
  };
}

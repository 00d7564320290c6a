import type { Task } from 'fhir/r4';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { SYSTEM, writerTag } from '../../src/fhir/systems.ts';
import { taskIdentifier, type WorkItemCode } from './build-task.ts';
import { identifierToken } from '../../src/fhir/identifier-query.ts';

/**
 * Marks the worker's open work item of `code` for an encounter completed, once the pipeline got
 * past the problem (coverage added, coding corrected), so the billing queue clears itself.
 */
export async function resolveTask(
  billing: FhirGateway,
  encounterId: string,
  code: WorkItemCode,
  now: Date,
  suffix = '',
  /** What happened, in words (Task.businessStatus); "the worker got past this step" by default. */
  note = 'resolved: the worker got past this step',
): Promise<number> {
  const found = await billing.searchAll(
    'Task',
    { identifier: identifierToken(taskIdentifier(encounterId, code, suffix)) },
    10,
  );
  const open = found.filter(
    (r): r is Task & { id: string } =>
      r.resourceType === 'Task' &&
      r.id !== undefined &&
      (r.status === 'requested' || r.status === 'ready' || r.status === 'in-progress'),
  );
  for (const task of open) {
    const versionId = task.meta?.versionId;
    const tags = (task.meta?.tag ?? []).some((t) => t.system === SYSTEM.writer)
      ? task.meta?.tag
      : [...(task.meta?.tag ?? []), writerTag('worker')];
    await billing.update<Task>(
      {
        ...task,
        status: 'completed',
        lastModified: now.toISOString(),
        businessStatus: { text: note },
        meta: { ...task.meta, tag: tags ?? [] },
      },
      versionId ? { ifMatchVersion: versionId } : {},
    );
  }
  return open.length;
}

import type { Bundle, Task } from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import { capabilityAwareGateway } from '../../src/fhir/capability-aware-gateway.ts';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import { createCapabilitiesSource } from '../../src/fhir/server-capabilities.ts';
import { sandboxEhrProfile } from '../../sandbox/ehr-profiles.ts';
import type { SandboxEhr } from '../../sandbox/start-sandbox-ehr.ts';
import { startTestEhr } from '../sandbox/sandbox-fixture.ts';

let ehr: SandboxEhr | undefined;
afterEach(async () => {
  await ehr?.close();
  ehr = undefined;
});

/** A Task: a type every profile lets the admin's system token write, unless it says otherwise. */
function task(key: string): Task {
  return {
    resourceType: 'Task',
    status: 'requested',
    intent: 'order',
    identifier: [{ system: 'urn:test', value: key }],
  };
}

async function gatewayFor(profile: ReturnType<typeof sandboxEhrProfile>) {
  ehr = await startTestEhr({ profile });
  const token = await ehr.issueSystemToken('system/*.cruds');
  const inner = createFhirGateway({
    baseUrl: ehr.fhirBase,
    getToken: () => Promise.resolve(token),
  });
  return {
    inner,
    fhir: capabilityAwareGateway(inner, createCapabilitiesSource({ baseUrl: ehr.fhirBase })),
  };
}

describe('conditional create and batch only where the server declares them', () => {
  it('on a server that ignores If-None-Exist, a rerun finds the first resource instead of writing a second', async () => {
    const { fhir, inner } = await gatewayFor({
      ...sandboxEhrProfile('medplum-like'),
      conditionalCreate: false,
      batch: false,
    });
    const first = await fhir.create(task('one'), { ifNoneExist: 'identifier=urn:test|one' });
    const again = await fhir.create(task('one'), { ifNoneExist: 'identifier=urn:test|one' });
    expect([first.created, again.created]).toEqual([true, false]);
    expect(again.resource.id).toBe(first.resource.id);
    expect(await inner.searchAll('Task', { identifier: 'urn:test|one' })).toHaveLength(1);
  });

  it('on a server without batch, sends each entry on its own and answers like a batch', async () => {
    const { fhir } = await gatewayFor({ ...sandboxEhrProfile('medplum-like'), batch: false });
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: task('a'), request: { method: 'POST', url: 'Task' } },
        { request: { method: 'GET', url: 'Task/does-not-exist' } },
      ],
    };
    const answer = await fhir.batch(bundle);
    expect(answer.type).toBe('batch-response');
    expect(answer.entry?.[0]?.response?.status).toMatch(/^201/);
    expect(answer.entry?.[1]?.response?.status).toMatch(/^404/);
  });

  it('uses the server batch and If-None-Exist where declared', async () => {
    const { fhir } = await gatewayFor(sandboxEhrProfile('strict'));
    const first = await fhir.create(task('two'), { ifNoneExist: 'identifier=urn:test|two' });
    const again = await fhir.create(task('two'), { ifNoneExist: 'identifier=urn:test|two' });
    expect(again.resource.id).toBe(first.resource.id);
    const answer = await fhir.batch({
      resourceType: 'Bundle',
      type: 'batch',
      entry: [{ resource: task('b'), request: { method: 'POST', url: 'Task' } }],
    });
    expect(answer.entry?.[0]?.response?.status).toMatch(/^201/);
  });
});

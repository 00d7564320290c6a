import { randomUUID } from 'node:crypto';
import type { Claim, ClaimResponse, Task } from 'fhir/r4';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxStack } from '../../cli/sandbox-stack.ts';
import type { ClaimDetail } from '../../src/billing-office/claim-detail-types.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { SEED_SCENARIOS } from '../../sandbox/seed-data.ts';
import { startTestStack } from '../browser/sandbox-stack-fixture.ts';
import { billingSignIn } from './billing-sign-in.ts';

let stack: SandboxStack;
let fhir: FhirGateway;
const handles: Record<string, string> = {};

async function claimOf(encounterId: string, suffix = ''): Promise<Claim & { id: string }> {
  const found = await fhir.searchAll('Claim', {
    identifier: `${SYSTEM.claimId}|enc-${encounterId}${suffix}`,
  });
  const claim = found.find((r): r is Claim => r.resourceType === 'Claim');
  if (!claim?.id) throw new Error(`no claim for ${encounterId}${suffix}`);
  return { ...claim, id: claim.id };
}

async function call(
  role: string,
  path: string,
  init: { method?: string; body?: unknown; key?: string | null } = {},
): Promise<{
  status: number;
  json: Record<string, unknown>;
  text: string;
  bytes: Buffer;
  type: string;
}> {
  const handle = handles[role];
  const method =
    init.method ?? (init.body !== undefined || init.key !== undefined ? 'POST' : 'GET');
  const res = await fetch(`${stack.appUrl}${path}`, {
    method,
    headers: {
      ...(handle ? { authorization: `Bearer ${handle}` } : {}),
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(method === 'POST' && init.key !== null
        ? { 'idempotency-key': init.key ?? randomUUID() }
        : {}),
    },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  const text = bytes.toString('utf8');
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = {};
  }
  return { status: res.status, json, text, bytes, type: res.headers.get('content-type') ?? '' };
}

async function detailOf(claimId: string): Promise<ClaimDetail> {
  const res = await call('biller', `/api/billing/claims/${claimId}`);
  expect(res.status).toBe(200);
  return res.json as unknown as ClaimDetail;
}

/** The chart's coding of a claim as the correction editor sends it, with the seen versions. */
function editorBody(detail: ClaimDetail) {
  const seen = {
    conditions: {} as Record<string, string>,
    chargeItems: {} as Record<string, string>,
  };
  for (const d of detail.coding.diagnoses)
    if (d.conditionId && d.versionId) seen.conditions[d.conditionId] = d.versionId;
  for (const l of detail.coding.lines)
    if (l.chargeItemId && l.versionId) seen.chargeItems[l.chargeItemId] = l.versionId;
  return {
    coding: {
      diagnoses: detail.coding.diagnoses.map((d) => ({
        code: d.code,
        ...(d.conditionId ? { conditionId: d.conditionId, versionId: d.versionId } : {}),
      })),
      lines: detail.coding.lines.map((l) => ({
        code: l.code,
        system: l.system,
        units: l.units,
        modifiers: l.modifiers,
        pointers: l.pointers,
        ...(l.chargeItemId ? { chargeItemId: l.chargeItemId, versionId: l.versionId } : {}),
      })),
    },
    seen,
  };
}

beforeAll(async () => {
  stack = await startTestStack(false);
  const token = await stack.ehr.issueSystemToken('system/*.cruds');
  fhir = createFhirGateway({ baseUrl: stack.fhirBase, getToken: () => Promise.resolve(token) });
  await stack.worker.tick();
  const users = { coder: 'pr-coder', biller: 'pr-biller', manager: 'pr-manager', none: 'pr-2' };
  for (const [role, user] of Object.entries(users))
    handles[role] = await billingSignIn(stack, user);
}, 180_000);
afterAll(async () => {
  await stack.close();
});

describe('claim detail', { timeout: 60_000 }, () => {
  it('shows a denied line with its amounts and reason in words, the timeline and the coding with its edits', async () => {
    const claim = await claimOf(SEED_SCENARIOS.notCovered);
    const detail = await detailOf(claim.id);
    // An adjudicated partial denial is FHIR `complete` (as an 835 says it); the biller sees it
    // as partly denied, from the denied line and the money paid on the other.
    expect(detail.outcome).toBe('complete');
    expect(detail.answer).toBe('partly denied');
    const denied = detail.lines.find((l) => l.code === 'S9986');
    expect(denied).toMatchObject({ denied: true, allowed: 0, paid: 0 });
    expect(denied?.billed).toBeGreaterThan(0);
    const carc96 = denied?.adjustments.find((a) => a.system === 'CARC' && a.code === '96');
    expect(carc96?.group).toBe('CO');
    expect(carc96?.text).toMatch(/not covered/i);
    const paid = detail.lines.find((l) => l.code === '99213');
    expect(paid?.paid).toBeGreaterThan(0);
    expect(paid?.allowed).toBeGreaterThan(0);
    expect(detail.payerClaimNumber).toMatch(/^PCN/);
    const kinds = new Set(detail.timeline.map((e) => e.kind));
    for (const kind of [
      'claim-version',
      'eligibility',
      'submission',
      'acknowledgment',
      'claim-response',
      'task',
    ])
      expect(kinds).toContain(kind);
    expect(detail.coding.lines.map((l) => l.code)).toEqual(['99213', 'S9986']);
    expect(Array.isArray(detail.findings)).toBe(true);
    expect(detail.denials[0]?.nextStep.length).toBeGreaterThan(10);
  });

  it('is open to each billing role and closed to a user without one', async () => {
    const claim = await claimOf(SEED_SCENARIOS.notCovered);
    for (const role of ['coder', 'biller', 'manager'])
      expect((await call(role, `/api/billing/claims/${claim.id}`)).status).toBe(200);
    const none = await call('none', `/api/billing/claims/${claim.id}`);
    expect(none.status).toBe(403);
    expect(none.json.error).toBe('BILLING_FORBIDDEN');
  });

  it('answers 404 in words for a claim that does not exist', async () => {
    const res = await call('biller', '/api/billing/claims/no-such-claim');
    expect(res.status).toBe(404);
    expect(res.json.error).toBe('BILLING_CLAIM_NOT_FOUND');
  });
});

describe('who may do what', { timeout: 120_000 }, () => {
  const matrix: [action: string, allowed: string[]][] = [
    ['correct', ['coder', 'biller', 'manager']],
    ['void', ['biller', 'manager']],
    ['appeal', ['biller', 'manager']],
    ['write-off', ['biller', 'manager']],
    ['bill-patient', ['biller', 'manager']],
  ];
  it.each(matrix)(
    '%s is allowed to %j and refused to the others on the server',
    async (action, allowed) => {
      const claim = await claimOf(SEED_SCENARIOS.timelyFiling);
      const body =
        action === 'correct'
          ? editorBody(await detailOf(claim.id))
          : action === 'write-off'
            ? { amount: 1, reason: 'small-balance' }
            : undefined;
      for (const role of ['coder', 'biller', 'manager', 'none']) {
        const res = await call(role, `/api/billing/claims/${claim.id}/${action}`, {
          body,
          key: randomUUID(),
        });
        if (allowed.includes(role)) {
          // Allowed: done, or refused for the claim's state (409), never for the role.
          expect([200, 409], `${role} ${action}: ${res.text}`).toContain(res.status);
        } else {
          expect(res.status, `${role} ${action}`).toBe(403);
          expect(res.json.error).toBe('BILLING_FORBIDDEN');
        }
      }
    },
  );
});

describe('idempotency', { timeout: 60_000 }, () => {
  it('does a write-off once for one key, however often it is sent, and answers the same', async () => {
    const claim = await claimOf(SEED_SCENARIOS.clean[3]);
    const key = randomUUID();
    const body = { amount: 2.5, reason: 'small-balance' };
    const path = `/api/billing/claims/${claim.id}/write-off`;
    const [a, b] = await Promise.all([
      call('biller', path, { body, key }),
      call('biller', path, { body, key }),
    ]);
    const c = await call('biller', path, { body, key });
    expect(a.status).toBe(200);
    expect(b.json.taskId).toBe(a.json.taskId);
    expect(c.json.taskId).toBe(a.json.taskId);
    const tasks = (await fhir.searchAll('Task', { focus: `Claim/${claim.id}` })).filter(
      (t) => (t as Task).code?.coding?.[0]?.code === 'write-off',
    );
    expect(tasks).toHaveLength(1);
    expect((await detailOf(claim.id)).totals.writtenOff).toBe(2.5);
  });

  it('refuses an action without an Idempotency-Key and changes nothing', async () => {
    const claim = await claimOf(SEED_SCENARIOS.clean[3]);
    const res = await call('biller', `/api/billing/claims/${claim.id}/bill-patient`, {
      key: null,
      method: 'POST',
    });
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('BILLING_IDEMPOTENCY_KEY_MISSING');
  });
});

describe('write-off limit', { timeout: 60_000 }, () => {
  it('refuses a biller above the limit in words and lets a manager do it', async () => {
    const claim = await claimOf(SEED_SCENARIOS.timelyFiling);
    const before = await detailOf(claim.id);
    const amount = Math.min(150, before.totals.balance);
    expect(amount).toBeGreaterThan(100);
    const body = { amount, reason: 'timely-filing' };
    const biller = await call('biller', `/api/billing/claims/${claim.id}/write-off`, { body });
    expect(biller.status).toBe(403);
    expect(biller.json.message).toMatch(/above \$100\.00 need a billing manager/);
    const manager = await call('manager', `/api/billing/claims/${claim.id}/write-off`, { body });
    expect(manager.status).toBe(200);
    const after = await detailOf(claim.id);
    expect(after.totals.writtenOff).toBeCloseTo(before.totals.writtenOff + amount, 2);
    expect(
      after.actions.some((x) => x.kind === 'write-off' && x.reason === 'Timely filing lost'),
    ).toBe(true);
  });
});

describe('appeal', { timeout: 60_000 }, () => {
  it('writes a letter with the claim, the denial in words and the deadline, as HTML and a valid PDF, tracked as a Task', async () => {
    const claim = await claimOf(SEED_SCENARIOS.notCovered);
    const answer = await call('biller', `/api/billing/claims/${claim.id}/appeal`, {
      key: randomUUID(),
      method: 'POST',
    });
    expect([200, 409]).toContain(answer.status);
    const detail = await detailOf(claim.id);
    const appeal = detail.actions.find((a) => a.kind === 'appeal');
    expect(appeal).toMatchObject({ status: 'in-progress' });
    expect(appeal?.deadline).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const letter = await call('biller', `/api/billing/claims/${claim.id}/appeal-letter`);
    expect(letter.json.deadline).toBe(appeal?.deadline);
    const html = await call('biller', `/api/billing/claims/${claim.id}/appeal-letter?format=html`);
    expect(html.type).toMatch(/text\/html/);
    expect(html.text).toContain(claim.id);
    expect(html.text).toMatch(/CO-96: Not covered/);
    expect(html.text).toContain(`Respond by ${appeal?.deadline ?? ''}`);
    const pdf = await call('biller', `/api/billing/claims/${claim.id}/appeal-letter?format=pdf`);
    expect(pdf.type).toBe('application/pdf');
    expect(pdf.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.bytes.subarray(-6).toString('latin1')).toMatch(/%%EOF/);
    const doc = await PDFDocument.load(pdf.bytes);
    expect(doc.getPageCount()).toBeGreaterThanOrEqual(1);
    expect(doc.getTitle()).toMatch(/appeal/i);
  });
});

describe('bill the patient', { timeout: 60_000 }, () => {
  it('moves the patient share to the statement list once, exported as CSV and PDF', async () => {
    const claim = await claimOf(SEED_SCENARIOS.clean[2]);
    const before = await detailOf(claim.id);
    expect(before.totals.patient).toBeGreaterThan(0);
    const first = await call('biller', `/api/billing/claims/${claim.id}/bill-patient`, {
      method: 'POST',
    });
    expect(first.status).toBe(200);
    expect(first.json.amount).toBe(before.totals.patient);
    const again = await call('manager', `/api/billing/claims/${claim.id}/bill-patient`, {
      method: 'POST',
    });
    expect(again.status).toBe(409);
    const csv = await call('biller', '/api/billing/statements?format=csv');
    expect(csv.type).toMatch(/text\/csv/);
    const rows = csv.text.trim().split('\r\n');
    expect(rows[0]).toBe('patient,patient_name,claim,service_date,amount_usd,added_on');
    const row = rows.find((r) => r.includes(`,${claim.id},`));
    expect(row).toContain(before.patient.reference);
    expect(row).toContain(before.patient.name);
    expect(row).toContain(before.totals.patient.toFixed(2));
    const pdf = await call('biller', '/api/billing/statements?format=pdf');
    expect(pdf.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect((await PDFDocument.load(pdf.bytes)).getPageCount()).toBeGreaterThanOrEqual(1);
    expect((await call('coder', '/api/billing/statements?format=csv')).status).toBe(403);
  });
});

describe('through the worker to the payer', { timeout: 120_000 }, () => {
  it('sends a correction as a replacement (frequency 7, the payer claim number) that the payer pays', async () => {
    const claim = await claimOf(SEED_SCENARIOS.notCovered);
    const detail = await detailOf(claim.id);
    const body = editorBody(detail);
    const line = body.coding.lines.find((l) => l.code === 'S9986');
    if (!line) throw new Error('seed: no S9986 line');
    Object.assign(line, { code: '36415', system: 'cpt' });
    const res = await call('biller', `/api/billing/claims/${claim.id}/correct`, { body });
    expect(res.status, res.text).toBe(200);
    expect(res.json.replacementQueued).toBe(true);
    await stack.worker.tick();
    const replacement = await claimOf(SEED_SCENARIOS.notCovered, '-r1');
    const identifier = `${SYSTEM.claimId}|${replacement.identifier?.[0]?.value ?? ''}`;
    expect(stack.payerAudit().received).toContainEqual({
      key: identifier,
      frequency: '7',
      payerClaimNumber: detail.payerClaimNumber,
    });
    const answers = (await fhir.searchAll('ClaimResponse', {
      request: `Claim/${replacement.id}`,
    })) as ClaimResponse[];
    expect(answers.map((a) => a.outcome)).toEqual(['complete']);
    expect(replacement.related?.[0]?.reference?.value).toBe(detail.payerClaimNumber);
    const after = await detailOf(claim.id);
    expect(after.replacedBy).toBe(`Claim/${replacement.id}`);
    const paid = await detailOf(replacement.id);
    expect(paid.frequency).toBe('7');
    expect(paid.outcome).toBe('complete');
    // `complete` alone says adjudicated, not paid: the replacement has no denial left.
    expect(paid.answer).toBe('paid');
    expect(paid.denials).toEqual([]);
  });

  it('voids a paid claim through the worker (frequency 8, the payer claim number)', async () => {
    const claim = await claimOf(SEED_SCENARIOS.clean[1]);
    const detail = await detailOf(claim.id);
    const res = await call('biller', `/api/billing/claims/${claim.id}/void`, { method: 'POST' });
    expect(res.status, res.text).toBe(200);
    await stack.worker.tick();
    const voided = await detailOf(claim.id);
    expect(voided.status).toBe('cancelled');
    expect(voided.totals.balance).toBe(0);
    expect(voided.actions.find((a) => a.kind === 'claim-void')?.status).toBe('completed');
    const voidClaim = await claimOf(SEED_SCENARIOS.clean[1], '-v');
    expect(stack.payerAudit().received).toContainEqual({
      key: `${SYSTEM.claimId}|${voidClaim.identifier?.[0]?.value ?? ''}`,
      frequency: '8',
      payerClaimNumber: detail.payerClaimNumber,
    });
    expect(voidClaim.related?.[0]?.reference?.value).toBe(detail.payerClaimNumber);
    const again = await call('manager', `/api/billing/claims/${claim.id}/void`, { method: 'POST' });
    expect(again.status).toBe(409);
  });
});

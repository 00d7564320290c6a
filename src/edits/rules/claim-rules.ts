/**
 * Whole-claim limits: something to bill, no more diagnoses than a claim holds, a real place of
 * service.
 */
import { CLAIM_LIMITS } from '../../coding/coding-model.ts';
import type { EditRule } from '../edit-rule.ts';
import { placeOfServiceName } from '../place-of-service.ts';

export const claimNoDiagnoses: EditRule = ({ coding }) =>
  coding.diagnoses.length > 0
    ? []
    : [
        {
          rule: 'claim-no-diagnoses',
          severity: 'error',
          message: 'The encounter has no diagnosis.',
          fix: 'Add at least one ICD-10-CM diagnosis, the main reason for the visit first.',
        },
      ];

export const claimNoLines: EditRule = ({ coding }) =>
  coding.lines.length > 0
    ? []
    : [
        {
          rule: 'claim-no-lines',
          severity: 'error',
          message: 'The encounter has no services to bill.',
          fix: 'Add the visit or procedure codes (CPT or HCPCS).',
        },
      ];

/** 837P loop 2300 HI holds 12 diagnosis codes; a CMS-1500 box 21 holds 12 (A–L). */
export const claimMaxDiagnoses: EditRule = ({ coding }) => {
  const count = coding.diagnoses.length;
  if (count <= CLAIM_LIMITS.maxDiagnoses) return [];
  const pointed = new Set(coding.lines.flatMap((l) => l.pointers));
  const unused = coding.diagnoses
    .map((d, i) => ({ code: d.code, position: i + 1 }))
    .filter((d) => !pointed.has(d.position))
    .map((d) => d.code);
  return [
    {
      rule: 'claim-max-diagnoses',
      severity: 'error',
      message: `The encounter has ${count} diagnoses; a claim holds at most ${CLAIM_LIMITS.maxDiagnoses}.`,
      fix: unused.length
        ? `Remove diagnoses no service points to: ${unused.join(', ')}.`
        : `Keep the ${CLAIM_LIMITS.maxDiagnoses} diagnoses the services are for.`,
      suggestions: unused,
    },
  ];
};

/** 837P CLM05-1: the place of service must be a CMS POS code (an unknown one is rejected at intake). */
export const claimPlaceOfService: EditRule = ({ facts }) => {
  const pos = facts.placeOfService;
  if (pos === undefined || placeOfServiceName(pos) !== undefined) return [];
  return [
    {
      rule: 'claim-place-of-service',
      severity: 'error',
      message: `Place of service '${pos}' is not a CMS place-of-service code.`,
      fix: 'Set the place of service where the visit happened, e.g. 11 (Office), 02/10 (Telehealth), 22 (On Campus-Outpatient Hospital).',
    },
  ];
};

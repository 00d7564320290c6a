/**
 * Each service line: a known CPT/HCPCS code, valid on the date of service, billed in whole units.
 */
import type { Finding } from '../../coding/coding-model.ts';
import { invalidOnDate } from '../code-validity.ts';
import type { EditRule } from '../edit-rule.ts';

const SYSTEM_NAME = { cpt: 'CPT', hcpcs: 'HCPCS' } as const;

export const serviceCodes: EditRule = ({ coding, facts, codes }) =>
  coding.lines.flatMap((line, index): Finding[] => {
    const entry = codes.lookup(line.system, line.code);
    const target = { kind: 'line', index } as const;
    if (!entry) {
      return [
        {
          rule: 'svc-unknown',
          severity: 'error',
          message: `${line.code} is not a ${SYSTEM_NAME[line.system]} code ChartBill knows.`,
          fix: 'Check the code, or search for the service by its name.',
          target,
        },
      ];
    }
    const why = invalidOnDate(entry, facts.dateOfService);
    if (!why) return [];
    return [
      {
        rule: 'svc-not-valid-on-date',
        severity: 'error',
        message: `${line.code} is not valid on the date of service ${facts.dateOfService}: ${why}.`,
        fix: `Replace ${line.code} with the code that is valid on that date.`,
        target,
      },
    ];
  });

/** 837P SV104: units of service, a positive whole number. */
export const lineUnits: EditRule = ({ coding }) =>
  coding.lines.flatMap((line, index): Finding[] =>
    Number.isInteger(line.units) && line.units >= 1
      ? []
      : [
          {
            rule: 'line-units',
            severity: 'error',
            message: `${line.code} has ${line.units} units; units must be a whole number, 1 or more.`,
            fix: `Set the units of ${line.code} (usually 1).`,
            target: { kind: 'line', index },
          },
        ],
  );

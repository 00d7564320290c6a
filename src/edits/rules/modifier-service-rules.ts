/**
 * Modifiers that must fit the service they are on:
 * - 26/TC only where the PFS PC/TC indicator splits the service (indicator 1; 26 also for 6 and
 *   8, laboratory/physician interpretation codes), per the PFS Relative Value File's PC/TC rules;
 * - 50 only where the PFS bilateral surgery indicator is 1 (150 % adjustment) or 3 (each side at
 *   100 %); indicator 2 codes are bilateral already, 0 and 9 are not bilateral services;
 * - LT/RT never with 50 on one line (50 already says both sides), nor LT and RT together;
 * - 25 only on an E/M service (CPT modifier 25: significant, separately identifiable E/M).
 * 26/TC and 50 need PFS indicators (EditReference.indicators); without them those checks are off.
 */
import type { Finding, ServiceLine } from '../../coding/coding-model.ts';
import type { ServiceIndicators } from '../edit-reference.ts';
import type { EditContext, EditRule } from '../edit-rule.ts';
import { modifierKeys } from '../modifier-groups.ts';
import { isEvaluationAndManagement } from './em-modifier-25-rule.ts';

const PC_TC_MEANING: Readonly<Record<string, string>> = {
  '0': 'a physician service that is not split into professional and technical parts',
  '2': 'a professional-component-only code',
  '3': 'a technical-component-only code',
  '4': 'a global test-only code (its parts have their own codes)',
  '5': 'an incident-to service',
  '6': 'a laboratory physician interpretation code',
  '7': 'a physical therapy service',
  '8': 'a physician interpretation code',
  '9': 'a service the PC/TC concept does not apply to',
};

const ALLOWS = { '26': new Set(['1', '6', '8']), TC: new Set(['1']) } as const;

function pcTcFindings(
  line: ServiceLine,
  keys: string[],
  ind: ServiceIndicators,
  index: number,
): Finding[] {
  return (['26', 'TC'] as const).flatMap((mod): Finding[] => {
    if (!keys.includes(mod) || ALLOWS[mod].has(ind.pcTc)) return [];
    return [
      {
        rule: 'modifier-pctc',
        severity: 'error',
        message: `Modifier ${mod} does not apply to ${line.code}: it is ${PC_TC_MEANING[ind.pcTc] ?? `PC/TC indicator ${ind.pcTc}`} (Medicare PFS PC/TC indicator ${ind.pcTc}).`,
        fix: `Remove ${mod} from ${line.code}.`,
        target: { kind: 'line', index },
      },
    ];
  });
}

function bilateralFindings(
  line: ServiceLine,
  keys: string[],
  ind: ServiceIndicators | undefined,
  index: number,
): Finding[] {
  const target = { kind: 'line', index } as const;
  const findings: Finding[] = [];
  const has50 = keys.includes('50');
  if (has50 && (keys.includes('LT') || keys.includes('RT'))) {
    findings.push({
      rule: 'modifier-50-with-side',
      severity: 'error',
      message: `${line.code} has modifier 50 (both sides) and ${keys.includes('LT') ? 'LT' : 'RT'} (one side) on the same line.`,
      fix: 'Use 50 alone for a bilateral procedure, or LT/RT alone for one side.',
      target,
    });
  } else if (keys.includes('LT') && keys.includes('RT')) {
    findings.push({
      rule: 'modifier-50-with-side',
      severity: 'error',
      message: `${line.code} has both LT and RT on one line.`,
      fix: `Bill a bilateral ${line.code} with modifier 50 where it is allowed, or as two lines (one LT, one RT).`,
      target,
    });
  }
  if (has50 && ind && ind.bilateral !== '1' && ind.bilateral !== '3') {
    const why =
      ind.bilateral === '2'
        ? 'its value already covers both sides'
        : 'it is not a bilateral procedure';
    findings.push({
      rule: 'modifier-50-not-allowed',
      severity: 'error',
      message: `Modifier 50 does not apply to ${line.code}: ${why} (Medicare PFS bilateral indicator ${ind.bilateral}).`,
      fix: `Remove 50 from ${line.code}${ind.bilateral === '2' ? '' : '; bill each side as its own line with LT/RT if both were done'}.`,
      target,
    });
  }
  return findings;
}

function modifier25Finding(line: ServiceLine, keys: string[], index: number): Finding[] {
  if (!keys.includes('25') || isEvaluationAndManagement(line)) return [];
  return [
    {
      rule: 'modifier-25-not-em',
      severity: 'error',
      message: `Modifier 25 is for evaluation and management visits; ${line.code} is not one.`,
      fix: `Remove 25 from ${line.code}; if a separate visit was billed, put 25 on the visit code.`,
      target: { kind: 'line', index },
    },
  ];
}

function lineFindings(line: ServiceLine, index: number, { reference }: EditContext): Finding[] {
  const keys = modifierKeys(line.modifiers);
  if (keys.length === 0) return [];
  const ind = reference.indicators?.(line.code);
  return [
    ...(ind ? pcTcFindings(line, keys, ind, index) : []),
    ...bilateralFindings(line, keys, ind, index),
    ...modifier25Finding(line, keys, index),
  ];
}

export const modifiersFitService: EditRule = (ctx) =>
  ctx.coding.lines.flatMap((line, index) => lineFindings(line, index, ctx));

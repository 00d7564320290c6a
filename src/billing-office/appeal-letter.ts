import type { ClaimDetail } from './claim-detail-types.ts';

/**
 * A first-level appeal (request for reconsideration) written from the claim, the payer's denial
 * and the documentation on file (issue 17, item 4). One model, rendered as printable HTML here
 * and as PDF on the server (smart-app/billing/appeal-pdf.ts), so both say the same. Browser-safe.
 */
export interface AppealLetter {
  title: string;
  /** YYYY-MM-DD the letter is dated. */
  date: string;
  /** YYYY-MM-DD the payer must receive it by. */
  deadline: string;
  to: string;
  from: string;
  /** "Re:" lines: patient, claim, payer claim number, date of service, amount. */
  re: [label: string, value: string][];
  /** The denial reasons in words, each with its codes. */
  reasons: string[];
  /** Billed lines: code, modifiers, units, diagnoses, billed. */
  lines: string[];
  /** The documentation the letter encloses (titles and dates of the visit's notes). */
  documents: string[];
  paragraphs: string[];
  signature: string;
}

export interface AppealInput {
  detail: ClaimDetail;
  /** YYYY-MM-DD. */
  today: string;
  /** Used when the claim has no appeal deadline of its own (days from today). */
  defaultDeadline: string;
  practice: string;
  documents: string[];
  signedBy: string;
}

const money = (n: number) => `$${n.toFixed(2)}`;

export function appealLetter(input: AppealInput): AppealLetter {
  const d = input.detail;
  const deadline = d.appealDeadline ?? input.defaultDeadline;
  const reasons = d.denials.map(
    (x) =>
      `${x.itemSequence !== undefined ? `Line ${String(x.itemSequence)}: ` : 'Claim: '}${x.group ? `${x.group}-` : ''}${x.carc}${x.rarc ? ` (remark ${x.rarc})` : ''}: ${x.text}`,
  );
  const denied = d.lines.filter((l) => l.denied);
  const deniedAmount = denied.reduce((s, l) => s + l.billed, 0);
  return {
    title: 'Request for reconsideration (first-level appeal)',
    date: input.today,
    deadline,
    to: `${d.payer ?? 'The health plan'}, Appeals Department`,
    from: input.practice,
    re: [
      ['Patient', d.patient.name],
      ['Claim', d.claimId],
      ['Payer claim number', d.payerClaimNumber ?? 'not assigned'],
      ['Date of service', d.serviceDate ?? 'unknown'],
      ['Amount billed', money(d.totals.billed)],
      ['Amount in dispute', money(deniedAmount > 0 ? deniedAmount : d.totals.balance)],
      ['Appeal deadline', deadline],
    ],
    reasons: reasons.length > 0 ? reasons : ['The claim was not paid as billed.'],
    lines: d.lines.map(
      (l) =>
        `${String(l.sequence)}. ${l.code}${l.modifiers.length ? `-${l.modifiers.join('-')}` : ''} × ${String(l.units)}, diagnoses ${l.diagnoses.join(', ') || 'none'}, billed ${money(l.billed)}${l.denied ? ' (denied)' : ''}`,
    ),
    documents:
      input.documents.length > 0 ? input.documents : ['The visit note for the date of service'],
    paragraphs: [
      `We ask you to reconsider your decision on the claim above. The services were documented, medically necessary and billed as performed.`,
      `The enclosed documentation supports each billed service and the diagnoses it was linked to. Please review it against the reasons given and reprocess the claim for payment.`,
      `This request is made within your appeal window, which ends on ${deadline}. Please send your decision to the address above.`,
    ],
    signature: input.signedBy,
  };
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${String(c.charCodeAt(0))};`);
}

/** The letter as a printable HTML page of its own (print styles, no script). */
export function appealLetterHtml(letter: AppealLetter): string {
  const list = (items: string[]) =>
    `<ul>${items.map((i) => `<li>${escape(i)}</li>`).join('')}</ul>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(letter.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:12pt/1.45 Georgia,serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#111}
h1{font-size:1.3rem}table{border-collapse:collapse}th{text-align:left;padding-right:1rem}
.deadline{font-weight:bold}@media print{body{margin:0}}
</style></head>
<body><main>
<p>${escape(letter.from)}</p><p>${escape(letter.date)}</p><p>${escape(letter.to)}</p>
<h1>${escape(letter.title)}</h1>
<table><caption class="deadline">Respond by ${escape(letter.deadline)}</caption><tbody>
${letter.re.map(([k, v]) => `<tr><th scope="row">${escape(k)}</th><td>${escape(v)}</td></tr>`).join('\n')}
</tbody></table>
<h2>Reasons given for the denial</h2>${list(letter.reasons)}
<h2>Services billed</h2>${list(letter.lines)}
${letter.paragraphs.map((p) => `<p>${escape(p)}</p>`).join('\n')}
<h2>Enclosed documentation</h2>${list(letter.documents)}
<p>Sincerely,</p><p>${escape(letter.signature)}</p>
</main></body></html>`;
}

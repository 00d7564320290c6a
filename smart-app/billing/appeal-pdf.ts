import type { AppealLetter } from '../../src/billing-office/appeal-letter.ts';
import { textPdf, type PdfBlock } from './text-pdf.ts';

/** The appeal letter as PDF: the same model as the HTML (src/billing-office/appeal-letter.ts). */
export function appealPdf(letter: AppealLetter): Promise<Uint8Array> {
  const items = (texts: string[]): PdfBlock[] => texts.map((text) => ({ kind: 'item', text }));
  const blocks: PdfBlock[] = [
    { kind: 'paragraph', text: letter.from },
    { kind: 'paragraph', text: letter.date },
    { kind: 'paragraph', text: letter.to },
    { kind: 'heading', text: `Respond by ${letter.deadline}` },
    ...items(letter.re.map(([k, v]) => `${k}: ${v}`)),
    { kind: 'heading', text: 'Reasons given for the denial' },
    ...items(letter.reasons),
    { kind: 'heading', text: 'Services billed' },
    ...items(letter.lines),
    ...letter.paragraphs.map((text): PdfBlock => ({ kind: 'paragraph', text })),
    { kind: 'heading', text: 'Enclosed documentation' },
    ...items(letter.documents),
    { kind: 'paragraph', text: 'Sincerely,' },
    { kind: 'paragraph', text: letter.signature },
  ];
  return textPdf(letter.title, blocks);
}

import { PDFDocument, StandardFonts, type PDFFont, type PDFPage } from 'pdf-lib';

/** A block of a text document: a heading, a paragraph, or a list item. */
export type PdfBlock =
  | { kind: 'heading'; text: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'item'; text: string };

const PAGE = { width: 612, height: 792, margin: 54 } as const; // US Letter, 3/4-inch margins
const SIZE = { heading: 13, paragraph: 10.5, item: 10.5 } as const;

/**
 * Words the standard PDF fonts can draw (WinAnsi): typographic quotes and dashes become plain
 * ones, anything else outside Latin-1 a `?`, so a name or a note never makes the PDF fail.
 */
function winAnsi(text: string): string {
  return text
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201C\u201D]/g, '"')
    .replace(/[\u2013\u2014]/g, '-')
    .replace(/\u00D7/g, 'x')
    .replace(/[^\x20-\x7E\u00A0-\u00FF]/g, '?');
}

function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (font.widthOfTextAtSize(next, size) > width && line) {
      out.push(line);
      line = word;
    } else line = next;
  }
  if (line) out.push(line);
  return out;
}

/**
 * A plain text document as PDF (pdf-lib 1.17.1: it computes the cross-reference table, embeds the
 * standard fonts with their metrics for wrapping, and paginates; writing PDF by hand gets the
 * byte offsets wrong the first time a name has an accent). Pages break as the text needs.
 */
export async function textPdf(title: string, blocks: readonly PdfBlock[]): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(winAnsi(title));
  doc.setProducer('ChartBill');
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const width = PAGE.width - 2 * PAGE.margin;
  let page: PDFPage = doc.addPage([PAGE.width, PAGE.height]);
  let y = PAGE.height - PAGE.margin;
  const draw = (text: string, font: PDFFont, size: number, indent = 0) => {
    for (const line of wrap(winAnsi(text), font, size, width - indent)) {
      if (y - size < PAGE.margin) {
        page = doc.addPage([PAGE.width, PAGE.height]);
        y = PAGE.height - PAGE.margin;
      }
      page.drawText(line, { x: PAGE.margin + indent, y: y - size, size, font });
      y -= size * 1.4;
    }
  };
  draw(title, bold, 15);
  y -= 6;
  for (const block of blocks) {
    if (block.kind === 'heading') {
      y -= 6;
      draw(block.text, bold, SIZE.heading);
    } else if (block.kind === 'item') draw(`- ${block.text}`, regular, SIZE.item, 12);
    else {
      draw(block.text, regular, SIZE.paragraph);
      y -= 4;
    }
  }
  return doc.save();
}

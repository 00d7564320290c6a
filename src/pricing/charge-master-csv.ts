/**
 * Reads the practice's charge master from CSV: a header row naming `code`, `price` and optionally
 * `modifier`, `effective_from`, `effective_to` (any order, other columns such as a description
 * ignored), one price per row. A missing price, a bad code or date, or two rows that price the
 * same code and modifier over overlapping dates is refused with the line, and nothing is stored.
 */
import type { ChargeEntry } from './charge-master.ts';

const CODE = /^([0-9]{4}[0-9A-Z]|[A-V][0-9]{4})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A cell split honouring RFC 4180 quotes (`"Office visit, level 3"`). */
function cells(line: string): string[] {
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charAt(i);
    if (quoted && c === '"' && line[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) {
      out.push(cell.trim());
      cell = '';
    } else cell += c;
  }
  out.push(cell.trim());
  return out;
}

export class ChargeMasterError extends Error {
  constructor(file: string, line: number, problem: string) {
    super(`${file}${line > 0 ? ` line ${String(line)}` : ''}: ${problem}. Nothing was imported.`);
    this.name = 'ChargeMasterError';
  }
}

function column(header: string[], ...names: string[]): number {
  return header.findIndex((h) => names.includes(h.toLowerCase().replace(/[\s-]+/g, '_')));
}

function overlaps(a: ChargeEntry, b: ChargeEntry): boolean {
  return a.from <= (b.to ?? '9999-12-31') && b.from <= (a.to ?? '9999-12-31');
}

/** Parses the CSV text; `file` names it in errors. Dates default to 1900-01-01 onwards. */
export function parseChargeMasterCsv(text: string, file: string): ChargeEntry[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = cells(lines[0] ?? '');
  const at = {
    code: column(header, 'code', 'cpt', 'hcpcs', 'cpt_hcpcs'),
    modifier: column(header, 'modifier', 'mod'),
    price: column(header, 'price', 'charge', 'amount'),
    from: column(header, 'effective_from', 'effective', 'from', 'start'),
    to: column(header, 'effective_to', 'to', 'end'),
  };
  if (at.code < 0 || at.price < 0)
    throw new ChargeMasterError(
      file,
      1,
      'the header must name the columns code and price (and optionally modifier, effective_from, effective_to)',
    );
  const entries: ChargeEntry[] = [];
  lines.slice(1).forEach((raw, i) => {
    const n = i + 2;
    if (!raw.trim()) return;
    const row = cells(raw);
    const get = (k: number): string => (k >= 0 ? (row[k] ?? '') : '');
    const code = get(at.code).toUpperCase();
    const modifier = get(at.modifier).toUpperCase();
    const priceText = get(at.price).replace(/^\$/, '').replace(/,/g, '');
    const from = get(at.from) || '1900-01-01';
    const to = get(at.to);
    if (!CODE.test(code))
      throw new ChargeMasterError(file, n, `'${code}' is not a CPT or HCPCS code`);
    if (modifier && !/^[A-Z0-9]{2}$/.test(modifier))
      throw new ChargeMasterError(file, n, `'${modifier}' is not a two-character modifier`);
    const price = Number(priceText);
    if (!priceText || !Number.isFinite(price) || price < 0)
      throw new ChargeMasterError(file, n, `${code} has no valid price ('${priceText}')`);
    if (!DATE.test(from) || (to && !DATE.test(to)) || (to && to < from))
      throw new ChargeMasterError(
        file,
        n,
        'effective dates must be YYYY-MM-DD, the end not before the start',
      );
    const entry: ChargeEntry = { code, modifier, price, from, ...(to ? { to } : {}) };
    const clash = entries.find(
      (e) => e.code === code && e.modifier === modifier && overlaps(e, entry),
    );
    if (clash)
      throw new ChargeMasterError(
        file,
        n,
        `${code}${modifier ? `-${modifier}` : ''} is priced twice for overlapping dates`,
      );
    entries.push(entry);
  });
  if (entries.length === 0) throw new ChargeMasterError(file, 0, 'no prices in the file');
  return entries;
}

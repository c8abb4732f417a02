// Owns reading a CSV file as people really export it: UTF-8 with or without a byte-order mark, or
// windows-1252 (older Excel); `,`, `;` (European locales) or tab as separator, guessed from the
// header row; quoted fields with separators, quotes and line breaks inside — parsed by csv-parse,
// not split by hand. Rows are numbered as a spreadsheet shows them (the header is row 1).
// Memory stays bounded: the parser stops after MAX_CSV_ROWS records (a 10 MB file of short lines
// would otherwise become millions of arrays, ~800 MB), a row past MAX_CSV_COLUMNS columns or one
// record past MAX_CSV_RECORD_CHARS characters ends the read, and the file is refused with a sentence.
import { parse } from 'csv-parse/sync';

export interface CsvRow {
  /** The spreadsheet row number (header = 1), whatever line breaks quoted fields held. */
  readonly row: number;
  /** Cells by normalised header name (lowercase, runs of other characters as `_`). */
  readonly cells: Readonly<Record<string, string>>;
}

export class CsvUnreadable extends Error {}

/** Data rows a file may have (orders and prospect lists alike); more is refused, unread. */
export const MAX_CSV_ROWS = 100_000;

/**
 * Columns a row may have. Every data row becomes an object keyed by the header, so the cost is
 * columns × rows: a 200 KB file of 200 000 empty header columns and 2 000 rows held the event loop
 * for minutes. Exports have tens of columns.
 */
export const MAX_CSV_COLUMNS = 500;

/** Characters one record may hold (a field or a line); a 50 MB single line is refused after this much. */
export const MAX_CSV_RECORD_CHARS = 1_000_000;

/** UTF-8 (BOM stripped) when the bytes are valid UTF-8, else windows-1252. */
export function decodeCsv(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/** The separator that splits the header row the most, outside quotes (`,` when none does). */
export function guessDelimiter(text: string): string {
  let inQuotes = false;
  const counts = new Map<string, number>([
    [',', 0],
    [';', 0],
    ['\t', 0],
  ]);
  for (const ch of text) {
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (ch === '\n' || ch === '\r')) break;
    else if (!inQuotes && counts.has(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  const [best, n] = [...counts].sort((a, b) => b[1] - a[1])[0] as [string, number];
  return n > 0 ? best : ',';
}

export const headerKey = (h: string) =>
  h
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '_')
    .replace(/^_|_$/g, '');

/** The file's records, header included; throws CsvUnreadable past `maxRows` data rows without reading further. */
function records(bytes: Uint8Array | string, maxRows: number): string[][] {
  const text = typeof bytes === 'string' ? bytes.replace(/^\uFEFF/, '') : decodeCsv(bytes);
  let all: string[][];
  try {
    // `to`: csv-parse stops making records there, so the rest of a huge file costs no memory.
    all = parse(text, {
      delimiter: guessDelimiter(text),
      relax_column_count: true,
      skip_empty_lines: false,
      trim: true,
      bom: true,
      to: maxRows + 2,
      max_record_size: MAX_CSV_RECORD_CHARS,
      on_record: (record: string[], { lines }: { lines: number }) => {
        if (record.length > MAX_CSV_COLUMNS) throw new CsvUnreadable(`line ${lines} has more than ${MAX_CSV_COLUMNS} columns; remove the empty ones`);
        return record;
      },
    }) as string[][];
  } catch (err) {
    if (err instanceof CsvUnreadable) throw err;
    if ((err as { code?: string }).code === 'CSV_MAX_RECORD_SIZE')
      throw new CsvUnreadable(`a line of the file is longer than ${MAX_CSV_RECORD_CHARS} characters`);
    throw new CsvUnreadable(`the file is not readable CSV: ${(err as Error).message}`);
  }
  if (all.length > maxRows + 1) throw new CsvUnreadable(`the file has more than ${maxRows} rows; split it into smaller files`);
  return all;
}

/** Every non-empty row's cells, numbered from 1 (for `email,name` lists, whose header is optional). */
export function readCsvCells(bytes: Uint8Array | string, maxRows = MAX_CSV_ROWS): { row: number; cells: string[] }[] {
  return records(bytes, maxRows)
    .map((cells, i) => ({ row: i + 1, cells }))
    .filter((r) => r.cells.some((c) => c !== ''));
}

/** The header row (normalised) and the data rows keyed by it; empty rows are skipped (their numbers still count). */
export function readCsvTable(bytes: Uint8Array | string, maxRows = MAX_CSV_ROWS): { header: string[]; rows: CsvRow[] } {
  const all = records(bytes, maxRows);
  const header = (all[0] ?? []).map(headerKey);
  const rows: CsvRow[] = [];
  all.slice(1).forEach((cells, i) => {
    if (cells.every((c) => c === '')) return;
    rows.push({ row: i + 2, cells: Object.fromEntries(header.map((h, j) => [h, cells[j] ?? ''])) });
  });
  return { header, rows };
}

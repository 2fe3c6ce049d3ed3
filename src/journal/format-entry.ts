import type { JournalEntry } from './events.js';

const CHAIN = new Set(['bridge', 'seq', 'time', 'type', 'hash', 'prev']);
export const CSV_COLUMNS = ['bridge', 'seq', 'time', 'type', 'tradeId', 'orderRef', 'side', 'volume', 'instrument', 'price', 'realisedPnl', 'reason', 'details', 'hash', 'prev'] as const;

/** One line for people: time, bridge#seq, type and the event's fields. */
export function formatEntry(entry: JournalEntry): string {
  const fields = Object.entries(entry)
    .filter(([key, value]) => !CHAIN.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return `${entry.time}  ${entry.bridge}#${entry.seq}  ${entry.type.padEnd(15)} ${fields.join(' ')}`;
}

/** One CSV row: the common fields in columns, the rest as JSON in `details`. */
export function csvRow(entry: JournalEntry): string {
  const record = entry as unknown as Record<string, unknown>;
  const named = new Set<string>(CSV_COLUMNS);
  const details = Object.fromEntries(Object.entries(record).filter(([key]) => !named.has(key)));
  return CSV_COLUMNS.map((column) => csvCell(column === 'details' ? (Object.keys(details).length > 0 ? JSON.stringify(details) : '') : record[column])).join(',');
}

function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

// The records table's query: paging, sorting by a column and a filter box in json-server's query syntax.

export interface TableQuery {
  page: number;
  limit: number;
  sort?: string;
  order?: 'asc' | 'desc';
  filter: string;
}

const operators = ['_gte', '_lte', '_ne', '_like'];
const keyPattern = /^[A-Za-z_$][\w$]*(\.[\w$]+)*$/;

/**
 * Reads the filter box: `title_like=rest views_gte=10 author.name=ann` become query parameters; words without `=`
 * become json-server's full-text `q`. Pairs may be separated by spaces or `&`. Returns an error for a key that is not a
 * field path (`a b=1` is fine, `=1` or `a..b=1` is not).
 */
export function parseFilter(text: string): { pairs: [string, string][]; error?: string } {
  const pairs: [string, string][] = [];
  const words: string[] = [];
  for (const token of text.split(/[\s&]+/).filter((t) => t.length > 0)) {
    const equals = token.indexOf('=');
    if (equals < 0) {
      words.push(token);
      continue;
    }
    const key = token.slice(0, equals);
    const value = token.slice(equals + 1);
    const field = operators.reduce((k, op) => (k.endsWith(op) ? k.slice(0, -op.length) : k), key);
    if (!keyPattern.test(field) || field.startsWith('_')) {
      return { pairs: [], error: `'${key}' is not a field to filter on (for example title_like=rest or views_gte=10)` };
    }
    pairs.push([key, value]);
  }
  if (words.length > 0) {
    pairs.push(['q', words.join(' ')]);
  }
  return { pairs };
}

/** The query string (with its `?`) for one page of records. */
export function recordsQuery(query: TableQuery): { search: string; error?: string } {
  const { pairs, error } = parseFilter(query.filter);
  if (error) {
    return { search: '', error };
  }
  const params = new URLSearchParams();
  params.set('_page', String(query.page));
  params.set('_limit', String(query.limit));
  if (query.sort) {
    params.set('_sort', query.sort);
    params.set('_order', query.order ?? 'asc');
  }
  for (const [key, value] of pairs) {
    params.append(key, value);
  }
  return { search: '?' + params.toString() };
}

/** Clicking a column header: a new column sorts ascending, the same column flips, a third click removes the sort. */
export function nextSort(query: TableQuery, column: string): TableQuery {
  if (query.sort !== column) {
    return { ...query, sort: column, order: 'asc', page: 1 };
  }
  return query.order === 'asc' ? { ...query, order: 'desc', page: 1 } : { ...query, sort: undefined, order: undefined, page: 1 };
}

/** The columns of a page of records: every top-level field, the id field first. */
export function columnsOf(records: unknown[], idField: string): string[] {
  const seen = new Set<string>();
  for (const record of records) {
    if (record && typeof record === 'object' && !Array.isArray(record)) {
      Object.keys(record).forEach((k) => seen.add(k));
    }
  }
  const columns = [...seen].filter((c) => c !== idField);
  return seen.has(idField) ? [idField, ...columns] : columns;
}

/** A cell's text: strings as they are, everything else as compact JSON. */
export function cellText(value: unknown): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

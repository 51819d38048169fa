import { describe, expect, it } from 'vitest';
import { cellText, columnsOf, nextSort, parseFilter, recordsQuery } from './records';

describe('the records filter box', () => {
  it('turns json-server operators into query parameters and words into q', () => {
    expect(parseFilter('title_like=rest views_gte=10 hello world author.name=ann')).toEqual({
      pairs: [['title_like', 'rest'], ['views_gte', '10'], ['author.name', 'ann'], ['q', 'hello world']],
    });
    expect(parseFilter('a=1&b_ne=2').pairs).toEqual([['a', '1'], ['b_ne', '2']]);
    expect(parseFilter('   ').pairs).toEqual([]);
  });

  it('refuses keys that are not field paths, naming them', () => {
    expect(parseFilter('=1').error).toContain("'' is not a field");
    expect(parseFilter('a..b=1').error).toContain("'a..b'");
    expect(parseFilter('_page=2').error).toContain("'_page'");
  });

  it('builds the page query with sort and filter, encoded', () => {
    expect(recordsQuery({ page: 2, limit: 10, sort: 'views', order: 'desc', filter: 'title_like=a&b c' }).search)
      .toBe('?_page=2&_limit=10&_sort=views&_order=desc&title_like=a&q=b+c'); // '&' separates pairs, as in a URL
    expect(recordsQuery({ page: 1, limit: 5, filter: 'name=ä b' }).search).toBe('?_page=1&_limit=5&name=%C3%A4&q=b');
    expect(recordsQuery({ page: 1, limit: 5, filter: '=x' }).error).toBeDefined();
  });
});

describe('sorting by a column', () => {
  it('goes ascending, descending, then off, and back to the first page', () => {
    const start = { page: 3, limit: 10, filter: '' };
    const asc = nextSort(start, 'title');
    expect(asc).toMatchObject({ sort: 'title', order: 'asc', page: 1 });
    const desc = nextSort(asc, 'title');
    expect(desc).toMatchObject({ sort: 'title', order: 'desc' });
    expect(nextSort(desc, 'title').sort).toBeUndefined();
    expect(nextSort(desc, 'views')).toMatchObject({ sort: 'views', order: 'asc' });
  });
});

describe('the records table', () => {
  it('shows every field, the id first', () => {
    expect(columnsOf([{ title: 'a', id: 1 }, { id: 2, views: 3 }], 'id')).toEqual(['id', 'title', 'views']);
    expect(columnsOf([{ uuid: 'x', a: 1 }], 'uuid')).toEqual(['uuid', 'a']);
    expect(columnsOf([{ a: 1 }], 'id')).toEqual(['a']);
  });

  it('renders values as text, objects as JSON', () => {
    expect(cellText('<b>x</b>')).toBe('<b>x</b>');
    expect(cellText({ a: [1] })).toBe('{"a":[1]}');
    expect(cellText(undefined)).toBe('');
    expect(cellText(null)).toBe('null');
  });
});

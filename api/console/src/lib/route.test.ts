import { describe, expect, it } from 'vitest';
import { parseRoute } from './route';

describe('parseRoute', () => {
  it('splits the fragment into decoded segments', () => {
    expect(parseRoute('#/projects/shop%20one/endpoints')).toEqual(['projects', 'shop one', 'endpoints']);
    expect(parseRoute('')).toEqual([]);
  });

  it('keeps a segment that is not valid percent-encoding instead of failing (the page was blank)', () => {
    expect(parseRoute('#/%E0%A4%A')).toEqual(['%E0%A4%A']);
    expect(parseRoute('#/projects/%E0%A4%A/endpoints')).toEqual(['projects', '%E0%A4%A', 'endpoints']);
  });
});

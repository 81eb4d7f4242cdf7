/** closestRoute: where an object no route matches parts from the route it came closest to. */
import { closestRoute } from '../../../src/routing/closest';
import { rulesFrom } from './rules';

const RULES = `
routes:
  - name: sales
    match: gs://landing/sales/{region}/*.csv
    destination: raw.sales
  - name: events
    match: gs://landing/events/**.ndjson
    destination: raw.events
  - name: archive
    match: gs://archive/*.csv
    destination: raw.archive
`;

describe('closestRoute', () => {
  it.each([
    [
      'a name that leaves the literal prefix',
      { bucket: 'landing', name: 'sale/eu/a.csv' },
      'sales',
      'character 5 of the name: expected "s/", found "/eu/a.csv"',
    ],
    [
      'a name that follows the prefix but not the pattern',
      { bucket: 'landing', name: 'events/2026/a.json' },
      'events',
      'after "events/": the rest of the name "2026/a.json" does not fit "**.ndjson"',
    ],
    [
      'an object in a bucket no route takes',
      { bucket: 'other', name: 'archive.csv' },
      'sales',
      'the bucket: it takes landing, the object is in other',
    ],
    [
      'a bucket match outweighing a longer shared name',
      { bucket: 'archive', name: 'sales/eu/a.txt' },
      'archive',
      'after "": the rest of the name "sales/eu/a.txt" does not fit "*.csv"',
    ],
  ])('names %s', async (_case, object, route, difference) => {
    const rules = await rulesFrom(RULES);
    expect(closestRoute(rules.routes, object)).toEqual({
      route,
      pattern: expect.stringMatching(/^gs:\/\//),
      difference,
    });
  });

  it('has nothing to say without routes', () => {
    expect(closestRoute([], { bucket: 'b', name: 'n' })).toBeUndefined();
  });
});

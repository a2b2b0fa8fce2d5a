import { z } from 'zod';
import { BACKENDS, openBackend, type Backend } from '../warehouse/backends';
import { csvOf, ruleContract, runContract } from './support';

/**
 * A timestamp without an explicit offset is quarantined with a reason that says so, unless the
 * source's contract declares its time zone: then it is read as wall time in that zone. Values
 * with an offset (Z or ±hh:mm) are converted to UTC either way. Nothing depends on the session's
 * or the worker's time zone.
 */
const VALUES = ['2026-03-01T03:24:57Z', '2026-03-01T03:24:57+09:00', '2026-03-01T03:24:57', '2026-03-01 03:35:57', '2026-03-01', 'soon'];
const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v));

describe.each(BACKENDS)('timestamps on %s', (name) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await openBackend(name);
  });
  afterAll(async () => backend?.stop());

  test('without a declared time zone, offset-less values are quarantined with a clear reason', async () => {
    const contract = ruleContract(`ts_plain_${name}`, z.iso.datetime({ offset: true }));
    const { bronze, quarantine } = await runContract(backend.warehouse, contract, 'ts.csv', csvOf(VALUES));
    expect(bronze.map((r) => [r.id, iso(r.v)])).toEqual([
      ['1', '2026-03-01T03:24:57.000Z'],
      ['2', '2026-02-28T18:24:57.000Z'],
    ]);
    const noOffset = 'v: timestamp without a UTC offset (add Z or ±hh:mm, or declare the source’s timeZone)';
    expect(quarantine.map((q) => [q.line, q.reason])).toEqual([
      [4, noOffset],
      [5, noOffset],
      [6, 'v: not a valid timestamp'],
      [7, 'v: not a valid timestamp'],
    ]);
  });

  test('with timeZone declared, offset-less values are wall time in that zone', async () => {
    const contract = ruleContract(`ts_zone_${name}`, z.iso.datetime({ offset: true }), { timeZone: 'Asia/Tokyo' } as never);
    const { bronze, quarantine } = await runContract(backend.warehouse, contract, 'ts.csv', csvOf(VALUES));
    expect(bronze.map((r) => [r.id, iso(r.v)])).toEqual([
      ['1', '2026-03-01T03:24:57.000Z'],
      ['2', '2026-02-28T18:24:57.000Z'],
      ['3', '2026-02-28T18:24:57.000Z'],
      ['4', '2026-02-28T18:35:57.000Z'],
    ]);
    expect(quarantine.map((q) => [q.line, q.reason])).toEqual([
      [6, 'v: not a valid timestamp'],
      [7, 'v: not a valid timestamp'],
    ]);
  });
});

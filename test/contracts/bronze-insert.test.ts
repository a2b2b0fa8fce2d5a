import { z } from 'zod';
import { BACKENDS, openBackend, type Backend } from '../warehouse/backends';
import { ruleContract, runContract } from './support';

/**
 * The bronze insert names its columns, so a bronze table whose columns are in another order, or
 * that has a column the contract no longer fills (a warehouse older or newer than the contract),
 * still gets every value in its own column.
 */
describe.each(BACKENDS)('bronze insert by column name on %s', (name) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await openBackend(name);
  });
  afterAll(async () => backend?.stop());

  test('columns in another order, plus one the contract does not fill', async () => {
    const contract = ruleContract(`by_name_${name}`, z.string(), { schema: z.object({ id: z.string(), a: z.string(), b: z.string(), n: z.number() }) });
    // The table an older deployment created: same columns, other order, and a column since removed.
    await backend.warehouse.exec(
      `create table if not exists bronze.${contract.name} (_line bigint, n double, b varchar, legacy varchar, _loaded_at timestamp, a varchar, _source_key varchar, id varchar, _partition_date date)`,
    );
    const { bronze } = await runContract(backend.warehouse, contract, 'x.csv', 'id,a,b,n\n1,alpha,beta,2.5\n');
    expect(bronze.map((r) => ({ id: r.id, a: r.a, b: r.b, n: r.n, legacy: r.legacy, _line: r._line }))).toEqual([
      { id: '1', a: 'alpha', b: 'beta', n: 2.5, legacy: null, _line: 2 },
    ]);
  });
});

import { z } from 'zod';
import { BACKENDS, openBackend, type Backend } from '../warehouse/backends';
import { ruleContract, runContract } from './support';

/**
 * A quarantined row keeps the original record exactly as read — every column of the file,
 * including ones the contract does not declare, under the file's own header names — and one
 * primary reason (the first failing rule, in column order), with the full list beside it. An
 * unparsable line's reason is the parse error only.
 */
describe.each(BACKENDS)('quarantine records on %s', (name) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await openBackend(name);
  });
  afterAll(async () => backend?.stop());

  const contract = () =>
    ruleContract(`qr_${name}`, z.string().url(), {
      schema: z.object({ id: z.string(), client_id: z.string().min(1), v: z.string().url(), n: z.number().int() }),
    });

  test('the raw record holds every column as read, including ones outside the contract and a drifted header', async () => {
    const csv = 'id,clientId,v,n,note\n1,cl_3956,https://x.example/a,4,first\n';
    const { quarantine } = await runContract(backend.warehouse, contract(), 'drift.csv', csv);
    expect(quarantine).toHaveLength(1);
    expect(JSON.parse(quarantine[0].raw_record!)).toEqual({ id: '1', clientId: 'cl_3956', v: 'https://x.example/a', n: '4', note: 'first' });
    expect(Object.keys(JSON.parse(quarantine[0].raw_record!))).toEqual(['id', 'clientId', 'v', 'n', 'note']);
  });

  test('one primary reason per row (the first failing rule), the full list kept', async () => {
    const csv = 'id,client_id,v,n\n1,,not a url,x\n2,cl_1,https://ok.example,1.5\n';
    const { quarantine } = await runContract(backend.warehouse, contract(), 'many.csv', csv);
    expect(quarantine.map((q) => [q.line, q.reason, q.reasons])).toEqual([
      [2, 'client_id: missing', 'client_id: missing; v: not a URL; n: not an integer'],
      [3, 'n: not an integer', 'n: not an integer'],
    ]);
  });

  test('an unparsable line gives the parse error only, not every column missing', async () => {
    const csv = 'id,client_id,v,n\n1,cl_1,https://ok.example,1,surplus\n2,cl_2,https://ok.example,2\n';
    const { quarantine, bronze } = await runContract(backend.warehouse, contract(), 'ragged.csv', csv);
    expect(bronze).toHaveLength(1);
    expect(quarantine).toHaveLength(1);
    expect(quarantine[0].reasons).toMatch(/^unparsable line: TOO MANY COLUMNS[^;]*$/);
    expect(quarantine[0].reason).toBe(quarantine[0].reasons);
    expect(quarantine[0].raw_record).toBe('1,cl_1,https://ok.example,1,surplus');
  });

  test('NDJSON: the raw record is the line exactly as read', async () => {
    const line = '{"id": "7", "client_id": null, "v": "https://x.example", "n": 3, "extra": {"deep": [1, 2]}}';
    const { quarantine } = await runContract(
      backend.warehouse,
      contract(),
      'rows.ndjson',
      `${line}\n{"id":"8","client_id":"c","v":"https://y.example","n":1}\n`,
    );
    expect(quarantine.map((q) => [q.line, q.reason, q.raw_record])).toEqual([[1, 'client_id: missing', line]]);
  });
});

import * as fs from 'node:fs';
import * as path from 'node:path';
import { freshDeps } from '../support/fixtures';
import { tempDataDir } from '../support/temporal';

/**
 * A contract rule that has no SQL equivalent fails the worker at start with ONE line naming the
 * source, the column and the rule — never silently ignored.
 */
const contractWith = (column: string) => `import { z } from 'zod';
import { defineSource } from 'marketing-dag/contracts';
export default defineSource({
  name: 'shop_orders',
  description: 'orders export',
  key: ['id'],
  schema: z.object({ id: z.string(), ${column} }),
});
`;

test.each([
  [
    'code: z.string().refine((s) => s.startsWith("A"))',
    'contract shop_orders, column code: .refine() has no SQL equivalent; express it with .regex(), .min()/.max() or an enum, or check it after silver',
  ],
  [
    'code: z.string().trim()',
    'contract shop_orders, column code: .trim(), .toLowerCase() and .toUpperCase() change the value; contracts only validate (silver may trim)',
  ],
  [
    'code: z.string().transform((s) => s.toUpperCase())',
    'contract shop_orders, column code: .transform() changes the value; contracts only validate (silver may transform)',
  ],
  ['total: z.number().multipleOf(0.01)', 'contract shop_orders, column total: .multipleOf(0.01) is supported for whole numbers only'],
  [
    'tags: z.array(z.string())',
    'contract shop_orders, column tags: array is not a supported column type (string, number, boolean, enum, date, datetime, or jsonText())',
  ],
])('%s is refused at start', async (column, message) => {
  const dir = tempDataDir('refused-');
  fs.writeFileSync(path.join(dir, 'shop_orders.contract.ts'), contractWith(column));
  const err = await freshDeps({ DAG_CONTRACTS_DIR: dir }).then(
    async (d) => {
      await d.warehouse.close();
      return undefined;
    },
    (e: Error) => e,
  );
  expect(err?.message).toBe(`${message} (${path.join(dir, 'shop_orders.contract.ts')})`);
  expect(err?.message).not.toContain('\n');
});

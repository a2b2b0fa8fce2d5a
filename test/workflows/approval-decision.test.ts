import { decisionSchema } from '../../workflows/shared/approval';

test('a decision names its version as version or planVersion; anything else is refused', () => {
  expect(decisionSchema.parse({ decision: 'accept', approver: 'bob', version: 2 })).toEqual({ decision: 'accept', approver: 'bob', version: 2 });
  expect(decisionSchema.parse({ decision: 'reject', approver: 'bob', reason: 'no', planVersion: 3 })).toEqual({
    decision: 'reject',
    approver: 'bob',
    reason: 'no',
    version: 3,
  });
  expect(decisionSchema.safeParse({ decision: 'accept', approver: 'bob' }).success).toBe(false);
  expect(decisionSchema.safeParse({ decision: 'accept', approver: 'bob', version: 1, planVersion: 1 }).success).toBe(false);
  expect(decisionSchema.safeParse({ decision: 'maybe', approver: 'bob', version: 1 }).success).toBe(false);
});

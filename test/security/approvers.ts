import { approverLine, generateKeyPair, signerFromKey, type KeyFile, type Signer } from '../../lib/approvals/keys';

/** Key pairs made once per test file: alice and bob are configured approvers, mallory is not. */
export const keys: Record<'alice' | 'bob' | 'mallory', KeyFile> = {
  alice: generateKeyPair('alice'),
  bob: generateKeyPair('bob'),
  mallory: generateKeyPair('mallory'),
};
export const signers: Record<keyof typeof keys, Signer> = {
  alice: signerFromKey(keys.alice),
  bob: signerFromKey(keys.bob),
  mallory: signerFromKey(keys.mallory),
};
/** DAG_APPROVERS as the worker's operator writes it: the lines `dag approvals keygen` printed. */
export const APPROVERS = [keys.alice, keys.bob].map(approverLine).join(',');

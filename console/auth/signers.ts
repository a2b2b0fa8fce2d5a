import * as fs from 'node:fs';
import * as path from 'node:path';
import type { UnsignedApprover } from '../../lib/approvals/client';
import { readKeyFile, signerFromKey, type Signer } from '../../lib/approvals/keys';
import type { Identity } from './identity';

/**
 * Who signs a decision made in the console: the console holds approver key files server-side
 * (one per approver, `<keysDir>/<name>.key`, the file `dag approvals keygen --approver NAME`
 * writes) and signs as the signed-in account's name, never as anyone else. The private key is
 * read when a decision is sent and never reaches a page, a log or a history.
 *
 * What is sent for each account:
 *   a key file for the name → a signed decision (what the workflow verifies);
 *   no key file → an unsigned decision: the workflow refuses it ("the decision is not signed")
 *     unless the worker runs with DAG_ALLOW_UNSIGNED_DECISIONS (development only);
 *   a key file the console must not use (readable by others, another approver's, unreadable)
 *     → nothing is sent; the page says why.
 */
export type Signing =
  { kind: 'signed'; signer: Signer; note: string } | { kind: 'unsigned'; signer: UnsignedApprover; note: string } | { kind: 'refused'; note: string };

export interface ConsoleSigners {
  readonly keysDir: string;
  /** Reads the account's key file now (a key added or rotated counts without a restart). */
  signingFor(who: Identity): Signing;
}

/** Names a key file may have: the approver names DAG_APPROVERS accepts, never a path. */
const KEY_NAME = /^[A-Za-z0-9._@+-]{1,100}$/;

export function keyFileSigners(keysDir: string): ConsoleSigners {
  return {
    keysDir,
    signingFor(who) {
      const name = who.name;
      if (!KEY_NAME.test(name) || name === '.' || name === '..')
        return { kind: 'refused', note: `this console cannot sign as "${name.slice(0, 64)}": approver names use letters, digits and . _ @ + -` };
      const file = path.join(keysDir, `${name}.key`);
      let mode: number;
      try {
        mode = fs.statSync(file).mode;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return { kind: 'refused', note: `the signing key for ${name} cannot be read on this console` };
        return {
          kind: 'unsigned',
          signer: { unsigned: true, approver: name },
          note: `this console holds no signing key for ${name}: decisions go unsigned and count only where the worker allows unsigned decisions (development). Make one with \`dag approvals keygen --approver ${name}\` on the console's machine and add the line it prints to the worker's DAG_APPROVERS`,
        };
      }
      // Like ssh with a private key: a key others can read is not used.
      if (mode & 0o077) return { kind: 'refused', note: `the signing key for ${name} on this console is readable by other users: \`chmod 600\` it first` };
      try {
        const key = readKeyFile(file);
        if (key.approver !== name)
          return {
            kind: 'refused',
            note: `the key file for ${name} on this console belongs to ${key.approver}: the console signs only as the signed-in approver`,
          };
        return { kind: 'signed', signer: signerFromKey(key), note: `signed as ${name} with key ${key.keyId}, held by this console` };
      } catch {
        return { kind: 'refused', note: `the signing key for ${name} on this console is not a valid key file (make a new one with \`dag approvals keygen\`)` };
      }
    },
  };
}

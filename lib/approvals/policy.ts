import { LOCAL_APPROVER } from '../../config/approvals-config';
import type { Config } from '../../config/config';
import { ensureLocalApprover } from './keys';
import { keyIdOf } from './protocol';
import type { ApprovalPolicy, ApproverKey } from './rules';

/**
 * The approval policy from the worker's configuration — the only source workflows accept
 * (README "Who can approve, and how it is checked"). Public keys are not secrets: they travel to
 * the workflow as this activity result and stay in its history, so every decision can be
 * re-verified on replay.
 */
export function approvalPolicy(config: Config): ApprovalPolicy {
  const a = config.approvals;
  const entries = [...a.approvers];
  const sources: string[] = [];
  if (a.approvers.length) sources.push(a.approversFile ? 'DAG_APPROVERS and DAG_APPROVERS_FILE' : 'DAG_APPROVERS');
  if (a.localApprover) {
    const local = ensureLocalApprover(a.localApproverDir, LOCAL_APPROVER);
    entries.push({ name: local.approver, publicKey: local.publicKey });
    sources.push(`the local approver ${LOCAL_APPROVER} (${a.localApproverDir})`);
  }
  const keys: ApproverKey[] = [];
  for (const e of entries)
    if (e.publicKey && !keys.some((k) => k.publicKey === e.publicKey)) keys.push({ approver: e.name, publicKey: e.publicKey, keyId: keyIdOf(e.publicKey) });
  return {
    approvers: [...new Set(entries.map((e) => e.name))],
    keys,
    fourEyes: a.fourEyes,
    allowUnsigned: a.allowUnsigned,
    autoPromote: a.autoPromotePersonas,
    clockSkewMs: a.clockSkewSeconds * 1000,
    source: sources.join(' and ') || 'DAG_APPROVERS is empty',
  };
}

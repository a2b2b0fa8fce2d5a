import * as fs from 'node:fs';
import * as path from 'node:path';
import { SQL_DIR, readSqlFile } from '../../lib/sql/render';

/**
 * A quality check is one SQL file under sql/checks/ returning one row (`observed`, `sample`),
 * with its contract in the header: stage (silver | gold), severity (blocking | warning),
 * threshold, and the failing comparison. Config (DAG_CHECKS) may override severity/threshold or
 * disable a check.
 */
export interface CheckDefinition {
  name: string;
  stage: 'silver' | 'gold';
  severity: 'blocking' | 'warning';
  threshold: number;
  failsWhen: '>' | '<';
  description: string;
  file: string;
}

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'not_evaluated';

export interface CheckResult {
  check: string;
  severity: CheckDefinition['severity'];
  status: CheckStatus;
  observed: number | null;
  threshold: number;
  sample: string | null;
}

function header(sql: string, key: string, file: string): string {
  const m = new RegExp(`^--\\s*${key}:\\s*(.+)$`, 'm').exec(sql);
  if (!m) throw new Error(`sql/${file}: header "-- ${key}:" is missing`);
  return m[1].trim();
}

export function discoverChecks(): CheckDefinition[] {
  const dir = path.join(SQL_DIR, 'checks');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => {
      const file = `checks/${f}`;
      const sql = readSqlFile(file);
      const failsWhen = /observed\s*([<>])\s*threshold/.exec(header(sql, 'fails when', file))?.[1];
      if (failsWhen !== '>' && failsWhen !== '<') throw new Error(`sql/${file}: "fails when" must be "observed > threshold" or "observed < threshold"`);
      const description = sql
        .split('\n')
        .filter((l) => /^--\s/.test(l) && !/^--\s*(check|stage|severity|threshold|fails when):/.test(l))
        .map((l) => l.replace(/^--\s?/, ''))
        .join(' ');
      return {
        name: header(sql, 'check', file),
        stage: header(sql, 'stage', file) as CheckDefinition['stage'],
        severity: header(sql, 'severity', file) as CheckDefinition['severity'],
        threshold: Number(header(sql, 'threshold', file)),
        failsWhen,
        description,
        file,
      };
    });
}

export function evaluate(def: CheckDefinition, observed: number | null): CheckStatus {
  if (observed === null || Number.isNaN(observed)) return 'not_evaluated';
  const failed = def.failsWhen === '>' ? observed > def.threshold : observed < def.threshold;
  if (!failed) return 'pass';
  return def.severity === 'blocking' ? 'fail' : 'warn';
}

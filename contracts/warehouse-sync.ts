import type { Warehouse } from '../adapters/warehouse/warehouse';
import type { SourceContract } from './contract';

/**
 * What the checks need to know about the contracts, written to the warehouse at worker start so
 * the check SQL stays plain SQL (sql/checks/sources_present.sql, quarantine_rate.sql) and anyone
 * can read it (`select * from ops.source_contracts`):
 *   ops.source_contracts   one row per source: required?, its own quarantine-rate threshold
 *                          (NULL: DAG_MAX_QUARANTINE_RATE applies), its key and file patterns;
 *   ops.bronze_rows        a view over every source's bronze table: (source, partition_date);
 *   ops.bronze_keys        the same with each row's key (the contract's `key` columns, joined by '|'),
 *                          for the duplicate_keys_in_bronze check;
 *   ops.landing_unmatched  landing files of a partition that match no source (written by the run).
 * The first two are replaced whenever the warehouse is bootstrapped (worker start): they describe
 * the contracts this worker runs with.
 */
export async function syncSourceSettings(wh: Warehouse, sources: readonly SourceContract[]): Promise<void> {
  await wh.exec(`create table if not exists ops.source_contracts (
    source varchar,
    is_required boolean,
    max_quarantine_rate double,
    key_columns varchar,
    file_patterns varchar,
    description varchar,
    contract_file varchar
  )`);
  await wh.exec(`create table if not exists ops.landing_unmatched (partition_date date, object_key varchar, reason varchar, listed_at timestamp)`);
  // The source names are identifiers checked by defineSource; the table names are ours.
  await wh.exec(
    `create or replace view ops.bronze_rows as ${sources.map((s) => `select '${s.name}' as source, _partition_date as partition_date from bronze.${s.name}`).join(' union all ')}`,
  );
  // Key columns are schema columns of the contract (checked by defineSource), quoted like bronze's DDL.
  const keyText = (s: SourceContract) => s.key.map((k) => `cast("${k}" as varchar)`).join(` || '|' || `);
  await wh.exec(
    `create or replace view ops.bronze_keys as ${sources
      .map((s) => `select '${s.name}' as source, _partition_date as partition_date, ${keyText(s)} as key_text from bronze.${s.name}`)
      .join(' union all ')}`,
  );
  await wh.transaction(async (tx) => {
    await tx.exec(`delete from ops.source_contracts`);
    for (const s of sources) {
      await tx.exec(`insert into ops.source_contracts values ($source, $required, $rate, $key, $files, $description, $origin)`, {
        source: s.name,
        required: s.required,
        rate: s.maxQuarantineRate ?? null,
        key: s.key.join(', '),
        files: s.files.join(', '),
        description: s.description,
        origin: s.origin ?? null,
      });
    }
  });
}

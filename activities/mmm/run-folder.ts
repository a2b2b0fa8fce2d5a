import type { ObjectStore } from '../../adapters/object-store/object-store';
import { assertObjectKey } from '../../adapters/object-store/object-store';

/** Where one MMM run keeps everything: `mmm/runs/<runId>/` with input.csv, config.json, output/. */
export interface RunFolder {
  prefix: string;
  inputKey: string;
  configKey: string;
  /** Prefix the runner writes into (model_summary.json, pareto_aggregated.csv, plots, progress.ndjson). */
  outputPrefix: string;
  uri: string;
  inputUri: string;
  configUri: string;
  outputUri: string;
}

export function runFolder(store: ObjectStore, runId: string): RunFolder {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(runId)) throw new Error(`invalid MMM run id ${JSON.stringify(runId)}`);
  const prefix = `mmm/runs/${runId}/`;
  const key = (name: string) => assertObjectKey(prefix + name);
  const outputPrefix = `${prefix}output/`;
  return {
    prefix,
    inputKey: key('input.csv'),
    configKey: key('config.json'),
    outputPrefix,
    uri: store.uri(prefix),
    inputUri: store.uri(key('input.csv')),
    configUri: store.uri(key('config.json')),
    outputUri: store.uri(key('output')),
  };
}

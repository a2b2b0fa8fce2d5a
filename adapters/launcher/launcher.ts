/**
 * Launches and follows a container job (the Robyn runner) on some compute.
 *
 * The contract between a launcher and the runner it starts:
 *   env DAG_CONFIG_URI  job config JSON (file:///… or gs://…)
 *   env DAG_INPUT_URI   dataset CSV
 *   env DAG_OUTPUT_URI  folder the runner writes model_summary.json, CSVs and plots into
 *   exit code 0 = success; anything else = failure (last lines of stderr kept as the message)
 *   optional: the runner appends JSON lines {"progress": 0..1, "message": "..."} to
 *   <output>/progress.ndjson, which followers surface as heartbeat details.
 *
 * A JobHandle is small, serialisable and stable: an activity that restarts after a worker crash
 * can `status()` or `cancel()` the same job from the handle alone (re-attach), never relaunching.
 */
export interface JobSpec {
  /** Unique and deterministic per workflow run, e.g. `robyn-<workflowId>`; launching twice with the same id re-attaches. */
  jobId: string;
  image: string;
  /** Command for the local-process launcher (the runner's entrypoint); containers use the image's own. */
  command?: readonly string[];
  env: Record<string, string>;
  timeoutSeconds: number;
}

export interface JobHandle {
  launcher: 'local' | 'docker' | 'cloudrun';
  jobId: string;
  /** Launcher-specific id: pid, container id, Cloud Run execution name. */
  ref: string;
}

export type JobState = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'timed_out';

export interface JobStatus {
  state: JobState;
  exitCode?: number;
  message?: string;
  progress?: number;
  startedAt?: string;
  finishedAt?: string;
}

export interface Launcher {
  readonly kind: JobHandle['launcher'];
  /** Starts the job, or returns the handle of the job already started under spec.jobId. */
  launch(spec: JobSpec): Promise<JobHandle>;
  status(handle: JobHandle): Promise<JobStatus>;
  /** Stops the job; harmless when it already ended. */
  cancel(handle: JobHandle): Promise<void>;
}

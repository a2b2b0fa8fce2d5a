import type { protos } from '@google-cloud/run';

/**
 * The slice of @google-cloud/run v2 the Cloud Run launcher uses. The real JobsClient and
 * ExecutionsClient satisfy it (checked where createLauncher builds them); tests pass recorders.
 */
export type Execution = protos.google.cloud.run.v2.IExecution;
export type RunJobRequest = protos.google.cloud.run.v2.IRunJobRequest;

export interface CloudRunJobsApi {
  /**
   * Starts an execution. gax decodes the long-running operation's metadata into that Execution,
   * though its typings say `Metadata`; the launcher reads only its `name`.
   */
  runJob(request: RunJobRequest): Promise<[{ name?: string | null; metadata?: unknown }, ...unknown[]]>;
}

export interface CloudRunExecutionsApi {
  getExecution(request: { name: string }): Promise<[Execution, ...unknown[]]>;
  listExecutions(request: { parent: string }): Promise<[Execution[], ...unknown[]]>;
  cancelExecution(request: { name: string }): Promise<unknown>;
}

/** gRPC status codes the launcher treats as "nothing to do". */
export const GRPC = { NOT_FOUND: 5, FAILED_PRECONDITION: 9 } as const;

export function grpcCode(err: unknown): number | undefined {
  return (err as { code?: number }).code;
}

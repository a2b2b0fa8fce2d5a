import type { ActivityDeps } from '../../lib/deps';
import type { ParticipantOptions } from '../../generator/personas';
import type { DecisionRecord } from '../../workflows/shared/approval';
import { approvalPolicy } from '../../lib/approvals/policy';
import type { ApprovalPolicy } from '../../lib/approvals/rules';
import { recordPersonaDecisions } from './decisions';
import { computeDrift, type DriftInput, type DriftResult } from './drift';
import { labelParticipants, type LabelInput, type LabelResult } from './label';
import {
  generateSurveyParticipants,
  loadSurveyParticipants,
  participantsKey,
  type GenerateParticipantsResult,
  type LoadParticipantsResult,
} from './participants';
import { ApplicationFailure } from '@temporalio/common';
import { activityContext } from '../../lib/heartbeat';
import { importPersonaModel, type ImportInput, type ImportResult } from './import-vendor';
import { activateModel, reconcileCandidates, rejectModel, StaleCandidateError, type Activation } from './registry';
import { trainPersonaCandidate, type TrainInput, type TrainResult } from './retrain';

export function createPersonaActivities(deps: ActivityDeps) {
  return {
    /** Whether the nightly persona step can run: participants landed and a model is active. */
    async personaStepReady(input: { date: string }): Promise<{ ready: boolean; reason: string }> {
      if (!(await deps.store.exists(participantsKey(input.date))))
        return { ready: false, reason: `no survey participants landed (${participantsKey(input.date)})` };
      const [active] = await deps.warehouse.query<{ n: number }>(`select count(*) as n from ml.persona_models where status = 'active'`);
      if (!Number(active.n)) return { ready: false, reason: 'no active persona model (dag personas import <file>)' };
      return { ready: true, reason: '' };
    },
    /** Writes deterministic survey participants for a date into the landing area. */
    async generateSurveyParticipants(input: ParticipantOptions): Promise<GenerateParticipantsResult> {
      return generateSurveyParticipants(deps, input);
    },
    /** Loads a partition's participants file into ml.survey_participants (replacing the partition). */
    async loadSurveyParticipants(input: { date: string; key?: string }): Promise<LoadParticipantsResult> {
      return loadSurveyParticipants(deps, input);
    },
    /** Labels a partition with a persona model in the warehouse (replacing its labels). */
    async labelParticipants(input: LabelInput): Promise<LabelResult> {
      return labelParticipants(deps, input);
    },
    /** Compares a partition with the model's reference window; stores the report and charts. */
    async computePersonaDrift(input: DriftInput): Promise<DriftResult> {
      return computeDrift(deps, input);
    },
    /** k-means from the active centroids on the window; registers a candidate with its comparison. */
    async trainPersonaCandidate(input: TrainInput): Promise<TrainResult> {
      return trainPersonaCandidate(deps, input);
    },
    /**
     * Makes the candidate the one active model and retires the previous one (one transaction),
     * refusing a candidate trained against another model than the active one: non-retryable
     * `StaleCandidate`, "stale: v9 became active meanwhile …". Lists the candidates it made stale.
     */
    async promotePersonaModel(input: { version: number }): Promise<Activation> {
      const workflowId = activityContext()?.info.workflowExecution?.workflowId;
      return activateModel(deps, input.version, { requireParent: true, workflowId }).catch((err: Error) => {
        throw err instanceof StaleCandidateError ? ApplicationFailure.nonRetryable(err.message, 'StaleCandidate') : err;
      });
    },
    /** Rejects a candidate (left alone when it is no longer one), recording why in ml.persona_model_events. */
    async rejectPersonaCandidate(input: { version: number; reason?: string }): Promise<void> {
      await rejectModel(deps, input.version, input.reason ?? 'rejected', activityContext()?.info.workflowExecution?.workflowId);
    },
    /**
     * Candidates whose retrain run is over without a decision (terminated, timed out: such a run
     * cannot clean up after itself) become `rejected`, with an event naming how the run ended.
     */
    async reconcilePersonaCandidates(): Promise<{ version: number; workflowId: string; status: string }[]> {
      const client = activityContext()?.client;
      if (!client) return [];
      return reconcileCandidates(deps, async (workflowId, runId) => {
        try {
          return (await client.workflow.getHandle(workflowId, runId).describe()).status.name;
        } catch (err) {
          if ((err as Error).name === 'WorkflowNotFoundError') return undefined;
          throw err;
        }
      });
    },
    /** A vendor model file from the object store (put there by `dag personas import`) → the next version. */
    async importPersonaModel(input: ImportInput): Promise<ImportResult> {
      return importPersonaModel(deps, input);
    },
    async recordPersonaDecisions(input: { workflowId: string; records: DecisionRecord[] }): Promise<number> {
      return recordPersonaDecisions(deps, input);
    },
    /** Who may approve (with public keys) and whether models are auto-promoted: from configuration only. */
    async getPersonaApprovalPolicy(): Promise<ApprovalPolicy> {
      return approvalPolicy(deps.config);
    },
  };
}

export type PersonaActivities = ReturnType<typeof createPersonaActivities>;

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
import { activateModel, rejectModel } from './registry';
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
    /** Makes the candidate the one active model and retires the previous one (one transaction). */
    async promotePersonaModel(input: { version: number }): Promise<void> {
      return activateModel(deps, input.version);
    },
    async rejectPersonaCandidate(input: { version: number }): Promise<void> {
      return rejectModel(deps, input.version);
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

import { getExternalWorkflowHandle, patched, proxyActivities, setCurrentDetails, startChild, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { z } from 'zod';
import type { PersonaActivities } from '../activities/personas';
import { addDays, isoDate } from '../lib/dates';
import { FEATURES } from '../personas/model';
import { LONG_SQL } from './shared/activity-options';
import { fmt, parseInput } from './shared/input';
import { recordingEnd, type RunRecorder } from './shared/run-end';
import { PartitionDate, ScheduledStartTime } from './shared/search-attributes';
import { approvalTimeoutSchema, personaDriftPersists, RetrainPersonas } from './retrain-personas';

const { generateSurveyParticipants, loadSurveyParticipants, labelParticipants, computePersonaDrift } = proxyActivities<PersonaActivities>(LONG_SQL);

const threshold = z.number().positive();
export const personaLabelingInput = z
  .object({
    /** Partition date; default: yesterday (UTC) of the time the run was due. */
    date: isoDate.optional(),
    /** Label with this version instead of the active one (drift then never triggers retraining). */
    modelVersion: z.number().int().min(1).optional(),
    /** Distance beyond which a participant is `unassigned` (standardised units; default 3.5). */
    threshold: threshold.optional(),
    /** Generate demo survey participants into the landing area first. */
    generate: z
      .object({
        participants: z.number().int().min(1).max(5_000_000).default(10_000),
        seed: z.number().int().default(42),
        noise: z.number().min(0).max(5).optional(),
        outlierShare: z.number().min(0).max(1).optional(),
        shift: z
          .object({ features: z.array(z.enum(FEATURES)).min(1), stdPerDay: z.number(), from: isoDate })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    /** Drift thresholds (defaults and reasoning in personas/drift-stats.ts). */
    drift: z
      .object({
        psi: threshold,
        wassersteinNorm: threshold,
        ks: threshold.nullable(),
        driftedFeatureShare: z.number().min(0).max(1),
        unassignedIncrease: z.number().min(0).max(1),
        meanDistanceShift: threshold,
        labelPsi: threshold,
      })
      .partial()
      .strict()
      .optional(),
    /** What to do when drift is declared: start RetrainPersonas on the last `windowDays` days. */
    retrain: z
      .object({
        enabled: z.boolean().default(true),
        windowDays: z.number().int().min(1).max(90).default(7),
        compareK: z.boolean().default(false),
        /** Who may approve and auto-promotion come only from the worker's configuration (DAG_APPROVERS, DAG_PERSONA_AUTO_PROMOTE). */
        autoPromote: z.literal(false, { error: "comes only from the worker's configuration (DAG_PERSONA_AUTO_PROMOTE)" }).optional(),
        approvalTimeout: approvalTimeoutSchema.default('7 days'),
        approvers: z.never({ error: "who may approve comes only from the worker's configuration (DAG_APPROVERS)" }).optional(),
      })
      .strict()
      .default({ enabled: true, windowDays: 7, compareK: false, approvalTimeout: '7 days' }),
  })
  .strict();
export type PersonaLabelingInput = z.input<typeof personaLabelingInput>;

export interface PersonaLabelingResult {
  date: string;
  modelVersion: number;
  participants: number;
  unassigned: number;
  drift: { reportId: string; isDrift: boolean; baseline: boolean; reasons: string[]; driftedFeatures: string[]; chartPrefix: string };
  /**
   * Set when drift called for retraining: the run it started (it waits for approval on its own),
   * or — `alreadyRunning` — the pending retrain of the same model this day's drift was attached to.
   */
  retrain?: { workflowId: string; alreadyRunning: boolean };
  summary: string;
}

/** Nightly persona step: (generate) → load participants → label in SQL → drift → maybe retrain. */
export async function PersonaLabeling(rawInput: PersonaLabelingInput = {}): Promise<PersonaLabelingResult> {
  return recordingEnd('PersonaLabeling', personaLabeling, rawInput, { ended: (r) => ({ status: 'succeeded', summary: r.summary }) });
}

async function personaLabeling(rawInput: PersonaLabelingInput, run: RunRecorder): Promise<PersonaLabelingResult> {
  const input = parseInput(personaLabelingInput, rawInput, 'PersonaLabeling');
  const date = input.date ?? defaultPartition();
  await run.begin(date);
  upsertSearchAttributes([{ key: PartitionDate, value: date }]);
  if (input.generate) {
    const g = input.generate;
    await generateSurveyParticipants.executeWithOptions({ ...LONG_SQL, summary: `generate ${fmt(g.participants)} survey participants for ${date}` }, [
      { date, ...g },
    ]);
  }
  const loaded = await loadSurveyParticipants({ date });
  const labels = await labelParticipants.executeWithOptions({ ...LONG_SQL, summary: `label ${fmt(loaded.rowsLoaded)} participants of ${date}` }, [
    { date, modelVersion: input.modelVersion, threshold: input.threshold },
  ]);
  setCurrentDetails(`${date}: ${fmt(labels.rows)} labelled with v${labels.modelVersion}, ${fmt(labels.unassigned)} unassigned; computing drift`);
  const drift = await computePersonaDrift.executeWithOptions({ ...LONG_SQL, summary: `drift of ${date} vs the reference of v${labels.modelVersion}` }, [
    { date, modelVersion: labels.modelVersion, thresholds: input.drift },
  ]);
  const result: PersonaLabelingResult = {
    date,
    modelVersion: labels.modelVersion,
    participants: labels.rows,
    unassigned: labels.unassigned,
    drift: {
      reportId: drift.reportId,
      isDrift: drift.isDrift,
      baseline: drift.baseline,
      reasons: drift.reasons,
      driftedFeatures: drift.driftedFeatures,
      chartPrefix: drift.chartPrefix,
    },
    summary: `${fmt(labels.rows)} participants labelled with v${labels.modelVersion} (${fmt(labels.unassigned)} unassigned); ${drift.isDrift ? `DRIFT: ${drift.reasons.join('; ')}` : drift.baseline ? 'baseline set' : 'no drift'}`,
  };
  if (drift.isDrift && input.retrain.enabled && input.modelVersion === undefined) {
    const r = input.retrain;
    // One pending retrain per active model: while it awaits its decision, later drift attaches to
    // it (signal) instead of opening one review per drifted day.
    const onePending = patched('one-pending-retrain-per-model');
    const workflowId = onePending ? retrainWorkflowId(labels.modelVersion) : `retrain-personas-${date}-v${labels.modelVersion}`;
    try {
      await startChild(RetrainPersonas, {
        workflowId,
        // The child waits days for a human; the nightly step must not wait with it.
        parentClosePolicy: 'ABANDON',
        args: [
          {
            window: { from: addDays(date, 1 - r.windowDays), to: date },
            requestedBy: 'system:drift',
            reason: drift.reasons.join('; '),
            compareK: r.compareK,
            approvalTimeout: r.approvalTimeout,
            threshold: input.threshold,
          },
        ],
        staticSummary: `Retrain personas after drift on ${date}`,
      });
      result.retrain = { workflowId, alreadyRunning: false };
    } catch (err) {
      if ((err as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw err;
      result.retrain = { workflowId, alreadyRunning: true };
      // A review that closed in between needs no signal: the next drifted day starts a new one.
      if (onePending)
        await getExternalWorkflowHandle(workflowId)
          .signal(personaDriftPersists, { date, reasons: drift.reasons })
          .catch(() => undefined);
    }
    result.summary += ` → ${workflowId}`;
  }
  setCurrentDetails(result.summary);
  return result;
}

/** The retrain of the active model `version` (one at a time: see PersonaLabeling). */
export const retrainWorkflowId = (version: number) => `retrain-personas-v${version}`;

function defaultPartition(): string {
  const info = workflowInfo();
  const due = info.typedSearchAttributes.get(ScheduledStartTime) ?? info.startTime;
  return addDays(new Date(due).toISOString().slice(0, 10), -1);
}

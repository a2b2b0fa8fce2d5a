import type { Config } from '../config/config';
import { compileOperation, type CompileContext } from './compiler';
import { judgeWithOpenAI, openaiClient, planWithOpenAI } from './openai-backend';
import { rulePlan } from './rule-planner';
import { ruleVerdict } from './rule-judge';
import { screenPlan } from './screening';
import type { CleaningProfile, DryRunResult, Verdict } from './types';
import type { CleaningPlan } from './vocabulary';

/**
 * Picks the planner/judge backend from configuration (rules by default; `openai` when a key or
 * base URL is set) and falls back to the rules — saying why — whenever a model answer is
 * unusable: transport or JSON errors, schema violations, hostile content, operations the
 * compiler refuses.
 */
export type BackendSettings = Pick<Config, 'planner'> & { apiKey?: string };

export async function proposePlan(
  s: BackendSettings,
  profile: CleaningProfile,
  version: number,
  compileCtx: CompileContext,
  feedback?: string,
): Promise<CleaningPlan> {
  const fallback = (reason?: string): CleaningPlan => ({
    ...rulePlan(profile, feedback),
    version,
    planner: 'rules',
    ...(reason ? { fallbackReason: reason } : {}),
    ...(feedback ? { feedback } : {}),
  });
  if (s.planner.kind !== 'openai') return fallback();
  let answer;
  try {
    answer = await planWithOpenAI(openaiClient(settings(s)), s.planner.model, profile, feedback);
  } catch (err) {
    return fallback(`model answer unusable (${oneLine(err)}); the rule planner stood in`);
  }
  const hostile = screenPlan(answer, profile);
  if (hostile.length) return fallback(`model answer rejected: ${hostile.join('; ')}; the rule planner stood in`);
  const refused = answer.operations.map((op, i) => ({ i, c: compileOperation(op, compileCtx) })).filter((x) => !x.c.ok);
  if (refused.length)
    return fallback(
      `model answer rejected: ${refused.map((x) => `operation ${x.i + 1}: ${(x.c as { reason: string }).reason}`).join('; ')}; the rule planner stood in`,
    );
  return { ...answer, version, planner: 'openai', ...(feedback ? { feedback } : {}) };
}

export async function judgePlan(s: BackendSettings, plan: CleaningPlan, profile: CleaningProfile, dry: DryRunResult): Promise<Verdict> {
  const rules = (reason?: string): Verdict => ({ ...ruleVerdict(plan, profile, dry), judge: 'rules', ...(reason ? { fallbackReason: reason } : {}) });
  if (s.planner.kind !== 'openai') return rules();
  try {
    return { ...(await judgeWithOpenAI(openaiClient(settings(s)), s.planner.model, plan, dry)), judge: 'openai' };
  } catch (err) {
    return rules(`model verdict unusable (${oneLine(err)}); the rule judge stood in`);
  }
}

const settings = (s: BackendSettings) => ({ model: s.planner.model, baseUrl: s.planner.baseUrl, apiKey: s.apiKey });
const oneLine = (err: unknown) =>
  String((err as Error)?.message ?? err)
    .split('\n')[0]
    .slice(0, 300);

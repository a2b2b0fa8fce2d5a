import * as fs from 'node:fs';
import { FEATURES, type ModelDraft } from '../personas/model';
import { Rng } from './random';

/**
 * Survey participants for the persona demo: each is drawn from one vendor persona (uneven mix)
 * as centroid + noise × the feature's std, plus a small share of outliers spread uniformly over
 * ±3 std (they should end `unassigned`). `shift` moves some features by a growing number of
 * standard deviations from a date on, which is how drift is planted. Same options → same bytes.
 */
export interface ParticipantOptions {
  date: string;
  participants: number;
  seed: number;
  /** Within-persona spread as a fraction of each feature's std (default 0.35). */
  noise?: number;
  outlierShare?: number;
  shift?: { features: string[]; stdPerDay: number; from: string };
}

export interface ParticipantManifest {
  date: string;
  participants: number;
  /** Shift applied on this date, in stds, per shifted feature (empty when none). */
  shiftedBy: Record<string, number>;
  perPersona: Record<string, number>;
  outliers: number;
}

export const PARTICIPANT_COLUMNS = ['participant_id', 'partition_date', ...FEATURES, 'true_persona'];

export function writeParticipantsCsv(file: string, model: Pick<ModelDraft, 'personas' | 'scaling'>, opts: ParticipantOptions): ParticipantManifest {
  const rng = new Rng(`personas:${opts.seed}:${opts.date}`);
  const noise = opts.noise ?? 0.35;
  const outlierShare = opts.outlierShare ?? 0.01;
  const { mean, std } = model.scaling;
  const offset = FEATURES.map(() => 0);
  const shiftedBy: Record<string, number> = {};
  if (opts.shift && opts.date >= opts.shift.from) {
    const days = 1 + Math.round((Date.parse(opts.date) - Date.parse(opts.shift.from)) / 86_400_000);
    for (const f of opts.shift.features) {
      const i = FEATURES.indexOf(f as never);
      if (i < 0) throw new Error(`shift: unknown feature ${f}`);
      shiftedBy[f] = opts.shift.stdPerDay * days;
      offset[i] = shiftedBy[f] * std[i];
    }
  }
  // An uneven but fixed mix: persona i gets weight 8 - i/2 of the total.
  const weights = model.personas.map((_, i) => [i, model.personas.length - i / 2] as const);
  const perPersona: Record<string, number> = Object.fromEntries(model.personas.map((p) => [p.name, 0]));
  let outliers = 0;
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, PARTICIPANT_COLUMNS.join(',') + '\n');
    let chunk = '';
    for (let n = 0; n < opts.participants; n++) {
      const isOutlier = rng.chance(outlierShare);
      const p = isOutlier ? -1 : rng.weighted(weights);
      const values = FEATURES.map(
        (_, i) => (p < 0 ? mean[i] + (rng.next() * 6 - 3) * std[i] : model.personas[p].centroid[i] + noise * std[i] * rng.normal()) + offset[i],
      );
      if (p < 0) outliers++;
      else perPersona[model.personas[p].name]++;
      chunk += `p-${opts.date.replace(/-/g, '')}-${String(n).padStart(7, '0')},${opts.date},${values.map((v) => v.toFixed(4)).join(',')},${p < 0 ? '' : csvText(model.personas[p].name)}\n`;
      if (chunk.length > 1 << 20) {
        fs.writeSync(fd, chunk);
        chunk = '';
      }
    }
    fs.writeSync(fd, chunk);
  } finally {
    fs.closeSync(fd);
  }
  return { date: opts.date, participants: opts.participants, shiftedBy, perPersona, outliers };
}

const csvText = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

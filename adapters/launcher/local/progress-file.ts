import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Latest {"progress": x} line of <output>/progress.ndjson, when the output is a local folder. */
export function readProgress(outputUri: string | undefined): number | undefined {
  if (!outputUri?.startsWith('file://')) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(path.join(fileURLToPath(outputUri), 'progress.ndjson'), 'utf8');
  } catch {
    return undefined;
  }
  return lastProgressLine(text);
}

/** The last valid progress (0..1) in progress.ndjson text; a half-written last line is skipped. */
export function lastProgressLine(text: string): number | undefined {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const p = (JSON.parse(lines[i]) as { progress?: unknown }).progress;
      if (typeof p === 'number' && p >= 0 && p <= 1) return p;
    } catch {
      // a line being written right now; try the one before
    }
  }
  return undefined;
}

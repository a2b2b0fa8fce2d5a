import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { registerPersonaCommands } from '../../cli/personas';
import { CliError } from '../../cli/errors';
import { openDeps } from '../../lib/open-deps';
import { loadActiveFromStore } from '../../activities/personas/registry';
import { testConfig } from '../support/temporal';
import { VENDOR_FIXTURE } from './support/persona-env';

const program = async () => {
  const config = await testConfig();
  const p = new Command('dag').exitOverride();
  registerPersonaCommands(p, { config: () => config });
  return { p, config };
};

test('dag personas import registers the vendor file as the active v1', async () => {
  const { p, config } = await program();
  const out: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  try {
    await p.parseAsync(['node', 'dag', 'personas', 'import', VENDOR_FIXTURE]);
  } finally {
    write.mockRestore();
  }
  expect(out.join('')).toBe(`imported 8 personas from ${VENDOR_FIXTURE} as v1 (active)\n`);
  const deps = await openDeps(config);
  try {
    expect((await loadActiveFromStore(deps.store)).personas[0].name).toBe('Sustainable Steve');
  } finally {
    await deps.warehouse.close();
  }
});

test('dag personas import refuses a bad file with the reason and writes nothing', async () => {
  const { p, config } = await program();
  const bad = path.join(config.dataDir, 'bad.csv');
  fs.writeFileSync(bad, fs.readFileSync(VENDOR_FIXTURE, 'utf8').replace('Premium Paula', 'Sustainable Steve'));
  await expect(p.parseAsync(['node', 'dag', 'personas', 'import', bad])).rejects.toThrow(
    new CliError('refused: bad.csv: duplicate persona name "Sustainable Steve" (line 2 and line 5)'),
  );
  expect(fs.existsSync(path.join(config.dataDir, 'objects/ml/personas/active.json'))).toBe(false);
});

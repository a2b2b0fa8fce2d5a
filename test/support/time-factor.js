// The one time factor of the test suite (plain CommonJS: jest.config.js requires it too).
// DAG_TEST_TIME_FACTOR wins; otherwise it follows how busy the machine is when the run starts:
// the larger of the 1- and 5-minute load averages per core, at least 1, at most 10. Every hook
// and test timeout and every wait-for-condition deadline in test/ is multiplied by it, so a
// suite that passes on an idle machine passes on a shared one (load 10 on 2 cores → factor 5).
const os = require('node:os');

function timeFactor(env = process.env) {
  const explicit = Number(env.DAG_TEST_TIME_FACTOR);
  if (env.DAG_TEST_TIME_FACTOR && Number.isFinite(explicit) && explicit > 0) return explicit;
  const [one, five] = os.loadavg();
  const cores = Math.max(1, os.availableParallelism ? os.availableParallelism() : os.cpus().length);
  return Math.min(10, Math.max(1, Math.round((Math.max(one, five) / cores) * 10) / 10));
}

module.exports = { timeFactor };

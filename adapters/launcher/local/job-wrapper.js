#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * Supervisor of one local job, started detached by LocalProcessLauncher so it outlives the
 * worker that launched it. Plain JavaScript so it starts in milliseconds with no TS loader.
 *
 *   node job-wrapper.js <stateDir> <timeoutSeconds> <command> [args...]
 *
 * Runs the command in its own process group, appends its output to stdout.log / stderr.log,
 * writes runner.pid, and on exit writes exit.json {exitCode, signal, reason, finishedAt}
 * (reason: "timed_out" | "cancelled" | null), atomically, so a launcher in ANY process can
 * read the outcome later from the state folder alone.
 * SIGTERM to this process = cancel: the runner's whole process group gets SIGTERM, then SIGKILL.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const KILL_GRACE_MS = 5000;
const [stateDir, timeoutArg, command, ...args] = process.argv.slice(2);
const file = (name) => path.join(stateDir, name);

/** @type {'timed_out' | 'cancelled' | null} */
let reason = null;
let finished = false;

const child = spawn(command, args, {
  detached: true, // own process group: killing -pid reaches everything the runner started
  stdio: ['ignore', fs.openSync(file('stdout.log'), 'a'), fs.openSync(file('stderr.log'), 'a')],
});
if (child.pid) fs.writeFileSync(file('runner.pid'), String(child.pid));

function killGroup(signal) {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function stop(why) {
  if (reason || finished) return;
  reason = why;
  killGroup('SIGTERM');
  setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS).unref();
}

function record(exitCode, signal, error) {
  if (finished) return;
  finished = true;
  const outcome = { exitCode, signal, reason, error, finishedAt: new Date().toISOString() };
  fs.writeFileSync(file('exit.json.tmp'), JSON.stringify(outcome));
  fs.renameSync(file('exit.json.tmp'), file('exit.json'));
  killGroup('SIGKILL'); // leave no stragglers from the runner's group behind
  process.exit(0);
}

const timeoutMs = Number(timeoutArg) * 1000;
if (timeoutMs > 0) setTimeout(() => stop('timed_out'), timeoutMs).unref();
process.on('SIGTERM', () => stop('cancelled'));
process.on('SIGINT', () => stop('cancelled'));
child.on('error', (err) => record(127, null, `could not start ${command}: ${err.message}`));
child.on('exit', (code, signal) => record(code, signal, undefined));

import { Command } from 'commander';
import { registerReplay } from './replay.js';
import { registerAdmin } from './admin.js';
import { registerConfig } from './config.js';
import { registerSimulate } from './simulate.js';

/** The `evosync` command. Each subcommand lives in its own file and registers itself here. */
export function buildProgram(): Command {
  const program = new Command();
  program.name('evosync').description('EvoSync command line');
  registerReplay(program);
  registerAdmin(program);
  registerConfig(program);
  registerSimulate(program);
  return program;
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}

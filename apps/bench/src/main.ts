// `nx run bench:<job>` entry point: node apps/bench/dist/main.js <job> [flags].
import { parseBenchArgs } from './cli';
import { createRealStack } from './real-stack';
import { runBenchJob } from './run-job';

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseBenchArgs(process.argv.slice(2));
  } catch (e) {
    // yargs has printed --help / --version; there is no job to run.
    if (process.argv.some((a) => a === '--help' || a === '-h' || a === '--version')) return 0;
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  const stack = await createRealStack(parsed.options);
  const outcome = await runBenchJob(parsed.job, parsed.options, stack);
  process.stdout.write(outcome.summary);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    process.stderr.write(`bench: ${e.stack ?? e.message}\n`);
    process.exit(1);
  },
);

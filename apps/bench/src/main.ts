// `nx run bench:<job>` entry point: node apps/bench/dist/main.js <job> [flags].
import { parseBenchArgs } from './cli';
import { recordedConfig } from './options';
import { createRealStack } from './real-stack';
import { runBenchJob } from './run-job';

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseBenchArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\nRun with --help for the flags.\n`);
    return 2;
  }
  if ('help' in parsed) {
    process.stdout.write(`${parsed.help}\n`);
    return 0;
  }
  if (parsed.options.dryRun) {
    process.stdout.write(`${JSON.stringify(recordedConfig(parsed.job, parsed.options), null, 2)}\n`);
    return 0;
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

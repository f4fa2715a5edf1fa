// `nx run bench:<job>` entry point. The jobs arrive with the harness issue (#7).
const job = process.argv[2];
process.stderr.write(`bench: job "${job ?? ''}" is not available yet in this build of the workspace\n`);
process.exit(2);

import yargs from 'yargs';
import { commands } from './commands';

export async function main(argv: string[]): Promise<void> {
  let cli = yargs(argv)
    .scriptName('lrat')
    .usage('$0 <command> [options]\n\nLRAT — Learning to Retrieve from Agent Trajectories: mine agent trajectories, train a retriever, index, search, evaluate and serve.')
    .epilogue('Run `lrat <command> --help` for a command\'s options and an example.')
    .demandCommand(1, 'Name a command: see the list above.')
    .recommendCommands()
    .strict()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(120, process.stdout.columns || 100))
    .fail((msg, err, y) => {
      if (err) throw err;
      y.showHelp();
      process.stderr.write(`\n${msg}\n`);
      process.exit(2);
    });
  for (const c of commands) cli = cli.command(c);
  await cli.parseAsync();
}

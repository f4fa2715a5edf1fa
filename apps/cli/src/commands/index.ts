import type { CommandModule } from 'yargs';
import { collectCommand } from './collect';
import { encodeCommand } from './encode';
import { evalCommand } from './eval';
import { indexCommand } from './index-corpus';
import { mineCommand } from './mine';
import { searchCommand } from './search';
import { serveCommand } from './serve';
import { trainCommand } from './train';

// Every `lrat` subcommand, in the order `lrat --help` lists them: the pipeline's order, from
// collecting trajectories to serving the retriever that learned from them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [
  collectCommand,
  mineCommand,
  trainCommand,
  encodeCommand,
  indexCommand,
  searchCommand,
  evalCommand,
  serveCommand,
];

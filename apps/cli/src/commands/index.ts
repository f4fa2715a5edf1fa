import type { CommandModule } from 'yargs';
import { serveCommand } from './serve';
import { mineCommand } from './mine';
import { trainCommand } from './train';
import { encodeCommand } from './encode';
import { indexCommand } from './index-corpus';
import { searchCommand } from './search';
import { evalCommand } from './eval';
import { collectCommand } from './collect';

// Every `lrat` subcommand, in the order `lrat --help` lists them. Each lives in its own module.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [
  mineCommand,
  serveCommand,
  trainCommand, encodeCommand,
  indexCommand, searchCommand, evalCommand,
  collectCommand,
];

import type { Command } from './command.js';
import { canary } from './commands/canary.js';
import { configShow, configValidate } from './commands/configCommands.js';
import { deleteCommand } from './commands/delete.js';
import { importCommand } from './commands/import.js';
import { lane } from './commands/lane.js';
import { list } from './commands/list.js';
import { reconcile } from './commands/reconcile.js';
import { register } from './commands/register.js';
import { renew } from './commands/renew.js';
import { rotate } from './commands/rotate.js';
import { show } from './commands/show.js';

/** Every command, in help order; a new one is a file under commands/ and a line here. */
export const COMMANDS: readonly Command[] = [
  register,
  show,
  list,
  deleteCommand,
  rotate,
  importCommand,
  lane,
  canary,
  renew,
  reconcile,
  configValidate,
  configShow,
];

import type { Command } from './command.js';
import { canary } from './commands/canary.js';
import { configShow, configValidate } from './commands/configCommands.js';
import { list } from './commands/list.js';
import { register } from './commands/register.js';
import { show } from './commands/show.js';

/**
 * Every command, in help order. `delete` (RFC 7592 DELETE + secret deletion) and `rotate` (RFC 7592 PUT)
 * join when the core has their use cases: one file under commands/ and one line here each.
 */
export const COMMANDS: readonly Command[] = [register, show, list, canary, configValidate, configShow];

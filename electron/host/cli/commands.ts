import type { CliCommand } from './command';
import { diagnosticsCommand } from './diagnostics-command';
import { importCommands } from './import-command';
import { loreCommands } from './lore-commands';
import { npcCommands } from './npc-commands';
import { testCommands } from './test-command';

/** Every CLI command; a new group adds its module's list here. */
export const COMMANDS: CliCommand[] = [...npcCommands, ...importCommands, ...loreCommands, ...testCommands, diagnosticsCommand];

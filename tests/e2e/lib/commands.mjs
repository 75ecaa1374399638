// The app's commands, read from the Rust list (src-tauri/src/commands/names.rs, one
// `module::name,` line each), so a new command the tests do not exercise fails the secrets test.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const names = readFileSync(fileURLToPath(new URL('../../../src-tauri/src/commands/names.rs', import.meta.url)), 'utf8');
export const COMMANDS = [...names.matchAll(/^\s*[a-z_]+::([a-z_]+),\s*$/gm)].map((m) => m[1]);
if (COMMANDS.length === 0) throw new Error('no commands found in names.rs');

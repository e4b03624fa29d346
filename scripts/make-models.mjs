// Runs scripts/make-models.ts (Node 20 cannot strip TypeScript types itself) through Vite's module runner,
// which transpiles it and the src/ modules it imports on the fly. Usage: see make-models.ts or --help.
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

const { module } = await runnerImport(fileURLToPath(new URL('./make-models.ts', import.meta.url)));
process.exitCode = await module.main(process.argv.slice(2));

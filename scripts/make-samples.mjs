// Runs scripts/make-samples.ts through Vite's module runner (Node 20 cannot strip TypeScript types itself).
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

const { module } = await runnerImport(fileURLToPath(new URL('./make-samples.ts', import.meta.url)));
process.exitCode = await module.main();

// Entry of the self-contained benchmark bundle (scripts/bench-bundle.mjs → .bench-bundle/bin/bench.mjs).
import { main } from './node-bench';

process.exitCode = await main(process.argv.slice(2));

import { runKernelChecks } from './kernel-checks';

runKernelChecks().then(
  (report) => postMessage(report),
  (error: unknown) => postMessage({ error: String(error) }),
);

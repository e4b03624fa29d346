import { defineConfig } from 'vitest/config';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

// Which Vulkan driver Dawn's Node bindings use for the `gpu` project: the Mesa lavapipe that
// scripts/get-lavapipe.sh unpacks (has shader-f16), else Chromium's SwiftShader (f32 only).
const lavapipe = resolve('.lavapipe/lvp_icd.json');
const swiftshader = '/usr/lib/chromium/vk_swiftshader_icd.json';
const vulkanIcd = process.env.VK_ICD_FILENAMES ?? (existsSync(lavapipe) ? lavapipe : swiftshader);

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // Generous: CI and busy machines share two cores between the three projects.
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'gpu',
          include: ['test/gpu/**/*.test.ts'],
          environment: 'node',
          // forks, not threads: a worker thread ending with GPU work in flight aborts the whole run.
          pool: 'forks',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          env: { VK_ICD_FILENAMES: vulkanIcd, XDG_RUNTIME_DIR: '/tmp' },
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/browser/global-setup.ts'],
          // One Chromium at a time: SwiftShader runs on the CPU and the machine has two cores.
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 120_000,
          // expect.poll's 1 s default is too short here: the page's main thread shares the two cores with the
          // worker's model and SwiftShader (a camera frame's JPEG encoding once took longer in CI).
          expect: { poll: { timeout: 30_000, interval: 100 } },
        },
      },
    ],
  },
});

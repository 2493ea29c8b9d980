import { buildContainer } from './container.js';
import { runProcess } from './process.js';
import { startWorker } from './worker-runtime.js';

await runProcess('worker', async (config, logger) => {
  const container = await buildContainer(config, logger, { processName: 'worker' });
  const worker = await startWorker(container);
  return async () => {
    await worker.stop();
    await container.close();
  };
});

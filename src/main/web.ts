import { once } from 'node:events';
import { buildContainer } from './container.js';
import { runProcess } from './process.js';
import { buildWebApp } from './web-runtime.js';

await runProcess('web', async (config, logger) => {
  const container = await buildContainer(config, logger, { processName: 'web' });
  const { app } = await buildWebApp(container);
  const server = app.listen(config.PORT, config.HOST);
  await once(server, 'listening');
  logger.info({ url: `http://${config.HOST}:${config.PORT}` }, 'web listening');
  return async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await container.close();
  };
});

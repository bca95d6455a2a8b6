import 'reflect-metadata';
import cluster from 'node:cluster';
import { createApp } from './app.factory.ts';
import { type AppConfig, ConfigError, loadConfig } from './core/config/app-config.ts';

let config: AppConfig;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(78); // EX_CONFIG
  }
  throw error;
}

const processes = config.env.API_PROCESSES;
if (processes > 1 && cluster.isPrimary) {
  // Several processes share the port; each is a full replica (the outbox relay claims rows with
  // SKIP LOCKED and the reconciler takes an advisory lock, so they cooperate like pods do).
  let stopping = false;
  for (let i = 0; i < processes; i++) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    console.error(
      JSON.stringify({
        level: 50,
        msg: 'API process exited; starting another',
        pid: worker.process.pid,
        code,
        signal,
      }),
    );
    cluster.fork();
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.kill(signal);
    });
  }
} else {
  const app = await createApp(config);
  await app.listen(config.env.PORT, '0.0.0.0');
}

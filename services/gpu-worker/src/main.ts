// The GPU worker's composition root: validate the environment, serve health and metrics, load
// and verify the model, then take jobs until SIGTERM.
import { Redis } from 'ioredis';
import { hostname } from 'node:os';
import { pino } from 'pino';
import { ConfigError, loadWorkerConfig } from './config/worker-config.ts';
import { HealthServer } from './http/health-server.ts';
import { WorkerMetrics } from './metrics/worker-metrics.ts';
import { JobConsumer } from './queue/job-consumer.ts';
import { ThreadedRenderer } from './render/threaded-renderer.ts';
import { ObjectStore } from './storage/object-store.ts';

async function main(): Promise<void> {
  const config = (() => {
    try {
      return loadWorkerConfig(process.env);
    } catch (error) {
      if (error instanceof ConfigError) {
        process.stderr.write(`${error.message}\n`);
        process.exit(78); // EX_CONFIG: a restart will not help until the environment changes.
      }
      throw error;
    }
  })();
  const workerId = config.WORKER_ID ?? hostname();
  const logger = pino({ level: config.LOG_LEVEL, base: { service: 'gpu-worker', workerId } });
  const metrics = new WorkerMetrics(config.GPU_HOURLY_COST_USD);
  const health = new HealthServer(metrics.registry);
  await health.listen(config.METRICS_PORT);
  logger.info({ port: config.METRICS_PORT }, 'Serving /healthz, /readyz and /metrics');

  const loadStarted = performance.now();
  logger.info({ modelDir: config.MODEL_DIR, device: config.DEVICE }, 'Loading the model');
  // Inference runs on its own thread: onnxruntime blocks the thread it runs on for a whole step.
  const renderer = await ThreadedRenderer.start(
    {
      modelDir: config.MODEL_DIR,
      modelId: config.MODEL_ID,
      device: config.DEVICE,
      cudaDeviceId: config.CUDA_DEVICE_ID,
    },
    metrics,
  ).catch((error: Error) => {
    logger.fatal({ err: error }, `The model could not be loaded: ${error.message}`);
    process.exit(1);
  });
  renderer.on('fatal', (error: Error) => {
    // The job in hand is lost with the thread; BullMQ gives it to another worker once its lock lapses.
    logger.fatal({ err: error }, 'The render thread died; exiting so the worker restarts');
    process.exit(1);
  });
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  metrics.modelLoadSeconds.set(loadSeconds);
  logger.info({ seconds: loadSeconds, modelHash: renderer.modelHash }, 'Loaded the model');

  // Workers block on the queue: ioredis must retry forever rather than fail a pending command.
  const connection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const store = new ObjectStore(config);
  const consumer = new JobConsumer(renderer, store, metrics, logger, {
    connection,
    prefix: config.QUEUE_PREFIX,
    concurrency: config.WORKER_CONCURRENCY,
    ffmpegPath: config.FFMPEG_PATH,
    shutdownGraceSeconds: config.SHUTDOWN_GRACE_SECONDS,
    workerId,
    lockSeconds: config.JOB_LOCK_SECONDS,
  });
  consumer.start();
  health.markReady();
  logger.info({ model: config.MODEL_ID, concurrency: config.WORKER_CONCURRENCY }, 'Taking jobs');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, graceSeconds: config.SHUTDOWN_GRACE_SECONDS }, 'Stopping: no new jobs');
    health.markNotReady();
    await consumer.stop();
    await renderer.close();
    connection.disconnect();
    await health.close();
    logger.info('Stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

void main();

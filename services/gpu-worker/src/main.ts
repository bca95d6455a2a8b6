// The GPU worker's composition root: validate the environment, serve health and metrics, load the
// engine (our ONNX graphs, or a server beside us), then take jobs while the engine is ready, until
// SIGTERM.
import { Redis } from 'ioredis';
import { readFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { ConfigError, loadWorkerConfig, type WorkerConfig } from './config/worker-config.ts';
import { ContentSigner } from './content-credentials/content-signer.ts';
import { createTestChain } from './content-credentials/test-chain.ts';
import { createEngine } from './engine/create-engine.ts';
import { HealthServer } from './http/health-server.ts';
import { WorkerMetrics } from './metrics/worker-metrics.ts';
import { OutputModerator } from './moderation/output-moderator.ts';
import { WorkerHeartbeatPublisher } from './runtime/heartbeat.ts';
import { JobConsumer } from './runtime/job-consumer.ts';
import { ReadinessMonitor } from './runtime/readiness-monitor.ts';
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
  health.markNotReady(config.ENGINE_KIND === 'onnx' ? 'loading the model' : 'waiting for the engine');
  logger.info({ port: config.METRICS_PORT }, 'Serving /healthz, /readyz and /metrics');

  const engine = createEngine(config, {
    observeStage: (stage, seconds) => metrics.observeStage(stage, seconds),
    onFatal: (error) => {
      // The job in hand is lost with the thread; BullMQ gives it to another worker once its lock lapses.
      logger.fatal({ err: error }, 'The engine died; exiting so the worker restarts');
      process.exit(1);
    },
  });
  const contentSigner = await loadContentSigner(config, logger).catch((error: Error) => {
    logger.fatal({ err: error }, `Content Credentials could not be set up: ${error.message}`);
    process.exit(78);
  });
  const loadStarted = performance.now();
  logger.info({ engine: config.ENGINE_KIND, model: config.MODEL_ID }, 'Loading the engine');
  const loading = new AbortController();
  // Loading can take minutes (weights, or an engine server starting): a SIGTERM meanwhile just ends.
  const stopWhileLoading = () => {
    loading.abort();
    logger.info('Stopped before the engine was loaded');
    process.exit(0);
  };
  process.once('SIGTERM', stopWhileLoading);
  process.once('SIGINT', stopWhileLoading);
  const identity = await engine.load(loading.signal).catch((error: Error) => {
    logger.fatal({ err: error }, `The engine could not be loaded: ${error.message}`);
    process.exit(1);
  });
  process.off('SIGTERM', stopWhileLoading);
  process.off('SIGINT', stopWhileLoading);
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  metrics.modelLoadSeconds.set(loadSeconds);
  logger.info({ seconds: loadSeconds, ...identity }, 'Loaded the engine');

  // Workers block on the queue: ioredis must retry forever rather than fail a pending command.
  const connection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const store = new ObjectStore(config);
  const readiness: { monitor?: ReadinessMonitor } = {};
  const consumer = new JobConsumer(engine, identity.modelHash, store, metrics, logger, {
    connection,
    model: config.MODEL_ID,
    prefix: config.QUEUE_PREFIX,
    concurrency: config.WORKER_CONCURRENCY,
    ffmpegPath: config.FFMPEG_PATH,
    ffprobePath: config.FFPROBE_PATH,
    shutdownGraceSeconds: config.SHUTDOWN_GRACE_SECONDS,
    workerId,
    lockSeconds: config.JOB_LOCK_SECONDS,
    cancelPollMs: config.CANCEL_POLL_MS,
    onEngineFailure: () => void readiness.monitor?.checkNow(),
    ...(contentSigner ? { contentSigner } : {}),
    ...(config.OUTPUT_MODERATION_URL
      ? {
          outputModerator: new OutputModerator({
            baseUrl: config.OUTPUT_MODERATION_URL,
            timeoutMs: config.OUTPUT_MODERATION_TIMEOUT_MS,
            failMode: config.OUTPUT_MODERATION_FAIL_MODE,
            frames: config.OUTPUT_MODERATION_FRAMES,
            ffmpegPath: config.FFMPEG_PATH,
            ...(config.OUTPUT_MODERATION_TOKEN ? { token: config.OUTPUT_MODERATION_TOKEN } : {}),
            ...(config.OUTPUT_MODERATION_MODEL ? { model: config.OUTPUT_MODERATION_MODEL } : {}),
          }),
        }
      : {}),
    version: await workerVersion(),
  });
  consumer.start(true);
  const heartbeat = new WorkerHeartbeatPublisher(
    {
      workerId,
      model: config.MODEL_ID,
      engine: config.ENGINE_KIND,
      limits: { maxResolution: config.WORKER_MAX_RESOLUTION, maxFrames: config.WORKER_MAX_FRAMES },
    },
    {
      connection,
      prefix: config.QUEUE_PREFIX,
      onError: (error) => logger.warn({ err: error }, 'Could not write the heartbeat'),
    },
  );
  heartbeat.start();
  let stopping = false;
  readiness.monitor = new ReadinessMonitor(engine, config.ENGINE_HEALTH_INTERVAL_SECONDS * 1000, {
    onReady: () => {
      if (stopping) return;
      consumer.resume();
      health.markReady();
      void heartbeat.setReady(true);
      logger.info({ model: config.MODEL_ID, concurrency: config.WORKER_CONCURRENCY }, 'Taking jobs');
    },
    onNotReady: (reason) => {
      consumer.pause();
      health.markNotReady(`the engine is not ready: ${reason}`);
      void heartbeat.setReady(false, reason);
      logger.warn({ reason }, 'Stopped taking jobs: the engine is not ready');
    },
  });
  await readiness.monitor.start();

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, graceSeconds: config.SHUTDOWN_GRACE_SECONDS }, 'Stopping: no new jobs');
    health.markNotReady('stopping');
    readiness.monitor?.stop();
    await heartbeat.stop();
    await consumer.stop();
    await engine.close();
    connection.disconnect();
    await health.close();
    logger.info('Stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/**
 * The C2PA signer from the mounted certificate and key; outside production, without them, a
 * throwaway test chain (its manifests verify as an untrusted signer). The configuration already
 * refused production without a key unless CONTENT_CREDENTIALS=off.
 */
async function loadContentSigner(config: WorkerConfig, logger: Logger): Promise<ContentSigner | undefined> {
  if (config.CONTENT_CREDENTIALS === 'off') {
    logger.warn('Content Credentials are off: videos are delivered without a C2PA manifest');
    return undefined;
  }
  if (config.CONTENT_CREDENTIALS_CERT_FILE && config.CONTENT_CREDENTIALS_KEY_FILE) {
    const signer = await ContentSigner.fromFiles(
      config.CONTENT_CREDENTIALS_CERT_FILE,
      config.CONTENT_CREDENTIALS_KEY_FILE,
    );
    logger.info(
      { certFile: config.CONTENT_CREDENTIALS_CERT_FILE },
      'Signing videos with Content Credentials',
    );
    return signer;
  }
  const chain = await createTestChain(join(tmpdir(), `cineweave-c2pa-test-chain-${process.pid}`));
  logger.warn(
    { certFile: chain.certFile },
    'Signing videos with a throwaway test chain: readers will call the signer untrusted',
  );
  return ContentSigner.fromFiles(chain.certFile, chain.keyFile);
}

/** The generator's version for the manifests: this package's (src/ and dist/ sit beside package.json). */
async function workerVersion(): Promise<string> {
  const manifest = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

void main();

export { startService, waitForOk, type ServiceProcess } from './processes.ts';
export {
  ADMIN_DATABASE_URL,
  API_ENTRY,
  REDIS_URL,
  WORKER_ENTRY,
  WORKSPACE_ROOT,
  buildProjects,
  buildTinyModel,
  createDatabase,
  dropDatabase,
  randomPort,
  removeRedisKeys,
  runChecked,
  startStack,
  type Stack,
  type StackOptions,
} from './stack.ts';
export { helmBin, installKubeTools, kubeToolsDir, kubectlBin } from './kube-tools.ts';
export { launchChromium, playVideo, type Playback } from './browser.ts';

// Browser and kube-tool helpers are subpaths (`@cineweave/test-support/browser`, `/kube-tools`):
// playwright-core's types bring the DOM library, whose stream types clash with Node's in projects
// that only need processes and stacks.
export { startService, waitForOk, type ServiceProcess } from './processes.ts';
export { TcpProxy } from './tcp-proxy.ts';
export {
  ADMIN_DATABASE_URL,
  API_ENTRY,
  REDIS_URL,
  TINY_MODEL,
  WORKER_ENTRY,
  WORKSPACE_ROOT,
  buildProjects,
  buildTinyModel,
  createDatabase,
  dropDatabase,
  freePort,
  removeRedisKeys,
  runChecked,
  startStack,
  type Stack,
  type StackOptions,
} from './stack.ts';
export { ModerationStandIn, type ModerationCall } from './moderation-stand-in.ts';

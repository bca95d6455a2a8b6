export { startService, waitForOk, type ServiceProcess } from './processes.ts';

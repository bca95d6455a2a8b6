import 'reflect-metadata';
import { createApp } from './app.factory.ts';
import { ConfigError, loadConfig } from './core/config/app-config.ts';

let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(78); // EX_CONFIG
  }
  throw error;
}
const app = await createApp(config);
await app.listen(config.env.PORT, '0.0.0.0');

import { bootstrapApplication } from '@angular/platform-browser';
import { AppComponent } from './app/app.component';
import { appConfig } from './app/app.config';
import { loadRuntimeConfig } from './app/core/config/runtime-config';

// The API's address is decided by whoever serves the portal (config.json), not by the build.
loadRuntimeConfig()
  .then((runtime) => bootstrapApplication(AppComponent, appConfig(runtime)))
  .catch((error: unknown) => console.error(error));

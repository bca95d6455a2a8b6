import { DOCUMENT, ViewportScroller } from '@angular/common';
import {
  type ApplicationConfig,
  inject,
  provideAppInitializer,
  provideBrowserGlobalErrorListeners,
  provideZonelessChangeDetection,
} from '@angular/core';
import { provideRouter, withComponentInputBinding, withInMemoryScrolling } from '@angular/router';
import { routes } from './app.routes';
import { provideOidcSignIn } from './core/auth/oidc-settings';
import { RUNTIME_CONFIG, type RuntimeConfig } from './core/config/runtime-config';

/** Room kept above an anchor scrolled to (`/#pricing`): the sticky header's height and a little air. */
export function anchorOffset(document: Document): [number, number] {
  const header = document.querySelector('header');
  return [0, (header?.getBoundingClientRect().height ?? 0) + 16];
}

export function appConfig(runtime: RuntimeConfig): ApplicationConfig {
  return {
    providers: [
      provideBrowserGlobalErrorListeners(),
      provideZonelessChangeDetection(),
      provideRouter(
        routes,
        withComponentInputBinding(),
        // Links with a fragment (`routerLink="/" fragment="pricing"`) scroll to it; other navigations start at the top.
        withInMemoryScrolling({ scrollPositionRestoration: 'top', anchorScrolling: 'enabled' }),
      ),
      provideOidcSignIn(),
      provideAppInitializer(() => {
        const document = inject(DOCUMENT);
        inject(ViewportScroller).setOffset(() => anchorOffset(document));
      }),
      { provide: RUNTIME_CONFIG, useValue: runtime },
    ],
  };
}

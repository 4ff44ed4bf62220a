import { provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import type { ApplicationConfig } from '@angular/core';
import { provideBrowserGlobalErrorListeners, provideZoneChangeDetection } from '@angular/core';
import { provideAnimationsAsync } from '@angular/platform-browser/animations/async';
import { provideRouter, withComponentInputBinding, withPreloading } from '@angular/router';
import { appRoutes } from './app.routes';
import { csrfInterceptor } from './core/csrf.interceptor';
import { errorInterceptor } from './core/error.interceptor';
import { PreloadStartPages } from './core/preload-start-pages';

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    // ngx-charts schedules its own work (resize handling, tooltips) outside signals and relies on
    // zone.js to trigger change detection for it, so the app stays zone-based.
    provideZoneChangeDetection({ eventCoalescing: true }),
    provideRouter(appRoutes, withComponentInputBinding(), withPreloading(PreloadStartPages)),
    provideHttpClient(withFetch(), withInterceptors([csrfInterceptor, errorInterceptor])),
    // ngx-charts components declare @angular/animations triggers.
    provideAnimationsAsync(),
  ],
};

import type { EmbeddedViewRef } from '@angular/core';
import { Directive, TemplateRef, ViewContainerRef, effect, inject, input } from '@angular/core';
import type { Permission } from '@tyto/contracts';
import { AuthStore } from './auth.store';

// `*tytoCan="'users:manage'"` renders its element only while the signed-in user holds the
// permission, checked with the same `hasPermission` the hub's guard uses. Hiding is a courtesy:
// the hub refuses the request either way.
@Directive({ selector: '[tytoCan]' })
export class CanDirective {
  readonly tytoCan = input.required<Permission>();

  private readonly auth = inject(AuthStore);
  private readonly template = inject<TemplateRef<unknown>>(TemplateRef);
  private readonly container = inject(ViewContainerRef);
  private view: EmbeddedViewRef<unknown> | null = null;

  constructor() {
    // Re-runs when the permission or the signed-in user changes.
    effect(() => {
      const allowed = this.auth.can(this.tytoCan());
      if (allowed && !this.view) {
        this.view = this.container.createEmbeddedView(this.template);
      } else if (!allowed && this.view) {
        this.container.clear();
        this.view = null;
      }
    });
  }
}

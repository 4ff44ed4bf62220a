import { ChangeDetectionStrategy, Component } from '@angular/core';

@Component({
  selector: 'tyto-forbidden-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section data-testid="forbidden">
      <h1>No access</h1>
      <p>
        Your roles do not include a permission this page needs. Ask an administrator for access.
      </p>
    </section>
  `,
})
export class ForbiddenPage {}

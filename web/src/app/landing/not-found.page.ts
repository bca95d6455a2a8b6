import { ChangeDetectionStrategy, Component } from '@angular/core';
import { RouterLink } from '@angular/router';
import { EmptyStateComponent } from '../shared/ui/empty-state.component';

@Component({
  selector: 'cw-not-found-page',
  imports: [RouterLink, EmptyStateComponent],
  template: `
    <div class="page">
      <h1 class="sr-only">Page not found</h1>
      <cw-empty-state
        heading="This page is not on the reel"
        message="The link may be old, or the address mistyped."
        icon="film"
      >
        <a routerLink="/" class="btn-primary">Back to the start</a>
      </cw-empty-state>
    </div>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class NotFoundPage {}

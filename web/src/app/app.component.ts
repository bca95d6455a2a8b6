import { ChangeDetectionStrategy, Component } from '@angular/core';
import { RouterOutlet } from '@angular/router';
import { DEFAULT_MODEL_ID } from '@cineweave/contracts';

@Component({
  selector: 'cw-root',
  imports: [RouterOutlet],
  template: `<h1 class="text-3xl text-purple-400">CineWeave {{ model }}</h1><router-outlet />`,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AppComponent {
  protected readonly model = DEFAULT_MODEL_ID;
}

import { ChangeDetectionStrategy, Component } from '@angular/core';
import { ShellComponent } from './core/layout/shell.component';

@Component({
  selector: 'cw-root',
  imports: [ShellComponent],
  template: `<cw-shell />`,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AppComponent {}

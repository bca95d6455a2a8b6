import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { errorMessage } from '../core/api/api-error';
import { CineweaveApi } from '../core/api/cineweave-api';
import { formatCredits, formatNumber, resolutionLabel } from '../core/format/format';
import { AlertComponent } from '../shared/ui/alert.component';
import { IconComponent } from '../shared/ui/icon.component';
import { SpinnerComponent } from '../shared/ui/spinner.component';
import { CreateStore, PRESET_LABELS, type Orientation, type Quality } from './create.store';

/** The deployment guide's section on real weights, served with the portal (web/project.json assets). */
export const REAL_WEIGHTS_GUIDE = '/guide/deployment.md';
import { IMAGE_LIMITS } from './image-check';

@Component({
  selector: 'cw-create-page',
  imports: [RouterLink, AlertComponent, IconComponent, SpinnerComponent],
  providers: [CreateStore],
  templateUrl: './create.page.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class CreatePage {
  protected readonly store = inject(CreateStore);
  private readonly api = inject(CineweaveApi);
  private readonly router = inject(Router);

  /** `?from=<jobId>` copies an earlier job's settings; `?prompt=` pre-fills the prompt. */
  readonly from = input<string | undefined>();
  readonly prompt = input<string | undefined>();

  protected readonly dragging = signal(false);
  protected readonly copyError = signal<string | null>(null);
  protected readonly copying = signal(false);
  protected readonly acceptTypes = IMAGE_LIMITS.types.join(',');
  protected readonly formatCredits = formatCredits;
  protected readonly formatNumber = formatNumber;
  protected readonly resolutionLabel = resolutionLabel;
  protected readonly presetLabels = PRESET_LABELS;
  protected readonly realWeightsGuide = REAL_WEIGHTS_GUIDE;
  protected readonly modes = (modes: readonly string[]) =>
    modes.map((mode) => (mode === 't2v' ? 'text' : 'image')).join(' or ') + ' to video';
  protected readonly typicalTime = (seconds: number) =>
    seconds < 90 ? `about ${Math.round(seconds)} s` : `about ${Math.round(seconds / 60)} min`;
  protected readonly errors = this.store.fieldErrors;
  protected readonly promptLength = computed(() => this.store.prompt().length);
  protected readonly orientations: { value: Orientation; label: string; hint: string }[] = [
    { value: 'landscape', label: 'Landscape', hint: '16:9 — for screens' },
    { value: 'portrait', label: 'Portrait', hint: '9:16 — for phones' },
  ];
  protected readonly qualities: { value: Quality; label: string; hint: string }[] = [
    { value: 'hd', label: 'HD', hint: '1280 px, final quality' },
    { value: 'draft', label: 'Draft', hint: '640 px, quick and cheap' },
  ];

  constructor() {
    effect(() => {
      const prompt = this.prompt();
      if (prompt) this.store.setPrompt(prompt);
    });
    effect(() => {
      const from = this.from();
      if (from) void this.copySettings(from);
    });
  }

  protected numberFrom(event: Event): number {
    const value = (event.target as HTMLInputElement).value;
    return value === '' ? Number.NaN : Number(value);
  }

  protected textFrom(event: Event): string {
    return (event.target as HTMLInputElement | HTMLTextAreaElement).value;
  }

  protected onFileInput(event: Event): void {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    if (file) void this.store.chooseImage(file);
    input.value = '';
  }

  protected onDrop(event: DragEvent): void {
    event.preventDefault();
    this.dragging.set(false);
    const file = event.dataTransfer?.files?.[0];
    if (file) void this.store.chooseImage(file);
  }

  protected onDragOver(event: DragEvent): void {
    event.preventDefault();
    this.dragging.set(true);
  }

  protected async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const job = await this.store.submit();
    if (job) await this.router.navigate(['/jobs', job.id]);
  }

  private async copySettings(jobId: string): Promise<void> {
    this.copying.set(true);
    try {
      this.store.copyFrom(await this.api.job(jobId));
      this.copyError.set(null);
    } catch (error) {
      this.copyError.set(`Could not copy that job's settings: ${errorMessage(error)}`);
    } finally {
      this.copying.set(false);
    }
  }
}

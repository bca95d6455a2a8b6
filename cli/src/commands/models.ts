import { ModelListSchema, type ModelView } from '@cineweave/contracts';
import type { Command } from 'commander';
import type { CliCommand } from '../core/command.ts';

export const modelsCommand: CliCommand<Record<string, never>> = {
  name: 'models',
  define: (command: Command) =>
    command.description(
      'List the models this install offers: what each renders, its presets, price factor and whether a worker serves it now.',
    ),

  async run(context) {
    const models = await context.client.get('/v1/models', ModelListSchema, { anonymous: true });
    const paint = (style: 'dim' | 'bold', text: string) => context.output.paint(style, text);
    context.output.result(models.body, () =>
      models.data.items.map((model) => modelLines(model, paint)).join('\n\n'),
    );
  },
};

function modelLines(model: ModelView, paint: (style: 'dim' | 'bold', text: string) => string): string {
  const availability = model.available
    ? `ready (${model.readyWorkers} worker${model.readyWorkers === 1 ? '' : 's'})`
    : 'no ready worker: jobs wait until one starts';
  const title = `${model.id}${model.default ? ' (default)' : ''} · ${model.displayName}`;
  const steps =
    model.steps.min === model.steps.max
      ? `${model.steps.min} steps`
      : `${model.steps.min}-${model.steps.max} steps`;
  const lines = [
    paint('bold', title),
    `  ${availability}`,
    `  ${model.modes.join(', ')} · ${model.resolutions.join(', ')} · ${model.durationSeconds.min}-${model.durationSeconds.max} s · ${steps} · ${model.sampler}`,
    `  presets ${model.presets.join(', ')} · price factor ${model.priceFactor} · about ${Math.round(model.typicalSeconds)} s per video`,
  ];
  if (model.testModel) lines.push(paint('dim', '  test model: random weights, its videos are noise'));
  return lines.join('\n');
}

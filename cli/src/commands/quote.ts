import { CreditsSummarySchema, RENDER_PRESETS, RESOLUTIONS, QuoteSchema } from '@cineweave/contracts';
import { Option, type Command } from 'commander';
import { wholeNumber } from '../core/arguments.ts';
import type { CliCommand } from '../core/command.ts';

interface QuoteOptions {
  resolution?: string;
  duration?: number;
  model?: string;
  preset?: string;
}

export const quoteCommand: CliCommand<QuoteOptions> = {
  name: 'quote',
  define: (command: Command) =>
    command
      .description('Show what a video costs before creating it.')
      .addOption(
        new Option('--resolution <size>', "width x height (default: the model's)").choices(RESOLUTIONS),
      )
      .option('--duration <seconds>', "length in seconds (default: the model's)", wholeNumber)
      .option('--model <id>', "price this model (default: the installation's)")
      .addOption(new Option('--preset <name>', 'price this preset').choices(RENDER_PRESETS)),

  async run(context, _args, options) {
    const { data: quote, body } = await context.client.get('/v1/pricing/quote', QuoteSchema, {
      query: {
        resolution: options.resolution,
        durationSeconds: options.duration,
        model: options.model,
        preset: options.preset,
      },
      anonymous: true,
    });
    // The price is public; what is left to spend is only known with a key.
    const available = context.settings.apiKey
      ? await context.client
          .get('/v1/credits', CreditsSummarySchema)
          .then(({ data }) => data.available)
          .catch(() => null)
      : null;
    context.output.result(body, () => {
      const price = `A ${quote.durationSeconds} s video at ${quote.resolution} with ${quote.model} (${quote.preset}) costs ${quote.credits} credits.`;
      return available === null ? price : `${price} You have ${available} available.`;
    });
  },
};

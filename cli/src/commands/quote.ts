import { CreditsSummarySchema, JOB_DEFAULTS, RESOLUTIONS, QuoteSchema } from '@cineweave/contracts';
import { Option, type Command } from 'commander';
import { wholeNumber } from '../core/arguments.ts';
import type { CliCommand } from '../core/command.ts';

interface QuoteOptions {
  resolution?: string;
  duration?: number;
}

export const quoteCommand: CliCommand<QuoteOptions> = {
  name: 'quote',
  define: (command: Command) =>
    command
      .description('Show what a video costs before creating it.')
      .addOption(
        new Option('--resolution <size>', `width x height (default ${JOB_DEFAULTS.resolution})`).choices(
          RESOLUTIONS,
        ),
      )
      .option(
        '--duration <seconds>',
        `length in seconds (default ${JOB_DEFAULTS.durationSeconds})`,
        wholeNumber,
      ),

  async run(context, _args, options) {
    const { data: quote, body } = await context.client.get('/v1/pricing/quote', QuoteSchema, {
      query: { resolution: options.resolution, durationSeconds: options.duration },
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
      const price = `A ${quote.durationSeconds} s video at ${quote.resolution} costs ${quote.credits} credits.`;
      return available === null ? price : `${price} You have ${available} available.`;
    });
  },
};

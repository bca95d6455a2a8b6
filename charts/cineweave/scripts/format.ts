import { format, resolveConfig } from 'prettier';

/** Generated files are written as Prettier would, so `npm run format:check` and the up-to-date tests agree. */
export async function formatLikePrettier(text: string, filepath: string): Promise<string> {
  const options = (await resolveConfig(filepath)) ?? {};
  return format(text, { ...options, filepath });
}

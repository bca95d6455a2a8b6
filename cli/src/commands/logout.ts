import type { Command } from 'commander';
import type { CliCommand } from '../core/command.ts';
import { readConfig, writeConfig } from '../core/config-store.ts';

export const logoutCommand: CliCommand = {
  name: 'logout',
  define: (command: Command) => command.description('Forget the API key stored for the API.'),

  async run(context) {
    const { settings, output } = context;
    const stored = await readConfig(settings.configFile);
    const removed = settings.apiUrl in stored.hosts;
    if (removed) {
      const { [settings.apiUrl]: _forgotten, ...hosts } = stored.hosts;
      await writeConfig(settings.configFile, { ...stored, hosts });
    }
    if (settings.keySource === 'environment') {
      output.note('CINEWEAVE_API_KEY is still set: commands keep using it until you unset it.');
    }
    output.result({ apiUrl: settings.apiUrl, configFile: settings.configFile, removed }, () =>
      removed ? `Forgot the key for ${settings.apiUrl}.` : `No key was stored for ${settings.apiUrl}.`,
    );
  },
};

import { TeamRoleSchema, type TeamRole } from '@cineweave/contracts';
import { z } from 'zod';

/** One line of SSO_TEAM_MAPPINGS: people whose groups claim holds `group` are `role` in team `teamId`. */
export interface SsoTeamMapping {
  group: string;
  teamId: string;
  role: TeamRole;
}

const MappingSchema = z.strictObject({
  group: z.string().trim().min(1, { error: 'group must be a non-empty string' }).max(256),
  teamId: z.uuid({ error: 'teamId must be a team id (a UUID)' }),
  role: TeamRoleSchema,
});

/** A mapping as a person reads it in an error: short, and never a secret (groups and team ids are not). */
function shown(entry: unknown): string {
  const text = JSON.stringify(entry) ?? String(entry);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/**
 * Parses SSO_TEAM_MAPPINGS (a JSON list of `{group, teamId, role}`), answering every problem with
 * the entry it is in (1-based, as a person counts), so a start-up error says which line to fix.
 * The same group mapped to the same team twice is refused: which role wins would be a guess.
 */
export function parseSsoTeamMappings(text: string): { mappings: SsoTeamMapping[]; problems: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return {
      mappings: [],
      problems: [`must be a JSON list of {"group", "teamId", "role"} (${(error as Error).message})`],
    };
  }
  if (!Array.isArray(raw)) {
    return { mappings: [], problems: ['must be a JSON list of {"group", "teamId", "role"}'] };
  }
  const mappings: SsoTeamMapping[] = [];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  raw.forEach((entry, index) => {
    const where = `entry ${index + 1} (${shown(entry)})`;
    const parsed = MappingSchema.safeParse(entry);
    if (!parsed.success) {
      const why = parsed.error.issues
        .map((issue) =>
          issue.code === 'invalid_value' && issue.path[0] === 'role'
            ? `role must be one of ${TeamRoleSchema.options.join(', ')}`
            : issue.code === 'unrecognized_keys'
              ? `unknown field(s) ${issue.keys.join(', ')}`
              : issue.path.length > 0 && !issue.message.startsWith(String(issue.path[0]))
                ? `${issue.path.join('.')}: ${issue.message}`
                : issue.message,
        )
        .join('; ');
      problems.push(`${where}: ${why}`);
      return;
    }
    const key = `${parsed.data.group}\u0000${parsed.data.teamId}`;
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push(`${where}: maps the same group to the same team as entry ${first + 1}; keep one`);
      return;
    }
    seen.set(key, index);
    mappings.push(parsed.data);
  });
  return { mappings, problems };
}

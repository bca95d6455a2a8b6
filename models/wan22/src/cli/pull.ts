// pull [--repo Wan-AI/Wan2.2-TI2V-5B] [--revision <commit>] --out <dir> [--include <glob>]... [--all]
// Downloads a model's official files from the Hugging Face hub (HF_ENDPOINT for a mirror, HF_TOKEN
// when the repository needs one), pinned to a commit, resumable, each file verified.
import { parseArgs } from 'node:util';
import { hubClientFromEnv, progressFor } from '../hub/hub-cli.ts';
import { OFFICIAL_LAYOUT_FILES, PullVerificationError, WAN22_TI2V_5B, pullModel } from '../hub/pull.ts';

const usage = `usage: pull --out <dir> [--repo <owner/name>] [--revision <commit|branch|tag>] [--include <glob>]... [--all]
  defaults: --repo ${WAN22_TI2V_5B.repo} --revision ${WAN22_TI2V_5B.revision}
            --include ${OFFICIAL_LAYOUT_FILES.join(' --include ')}  (what build-model reads)
  env: HF_ENDPOINT (a mirror or proxy speaking the hub's API), HF_TOKEN (private or gated repositories)
  Run it again after an interruption: it resumes partial files and skips verified ones.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      repo: { type: 'string', default: WAN22_TI2V_5B.repo },
      revision: { type: 'string', default: WAN22_TI2V_5B.revision },
      out: { type: 'string' },
      include: { type: 'string', multiple: true },
      all: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (!values.out || !/^[\w.-]+\/[\w.-]+$/.test(values.repo)) {
    console.error(
      `${!values.out ? '--out is required' : `--repo must be owner/name, not "${values.repo}"`}\n${usage}`,
    );
    return 2;
  }
  const started = performance.now();
  const result = await pullModel({
    repo: values.repo,
    revision: values.revision,
    out: values.out,
    client: hubClientFromEnv(process.env),
    include: values.all ? ['**'] : values.include,
    progress: progressFor(process.stdout, (line) => console.log(line)),
  });
  const downloaded = result.files.filter((file) => file.how === 'downloaded').length;
  console.log(
    `Pulled ${values.repo} at commit ${result.commit} into ${values.out}: ${downloaded} downloaded, ` +
      `${result.files.length - downloaded} already verified, in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      `pull: ${error instanceof PullVerificationError || error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  },
);

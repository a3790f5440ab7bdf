import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '..', '..');
const hasCompose = spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0;

interface ComposeService {
  environment?: Record<string, string>;
  ports?: string[];
}

/** The compose file as Compose reads it with nothing set: every `${NAME:-x}` becomes `x`. */
function composeDefaults(): { services: Record<string, ComposeService> } {
  const text = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
  return parse(text.replace(/\$\{\w+:-([^}]*)\}/g, '$1'), { merge: true });
}

describe('containers', () => {
  it.skipIf(!hasCompose)('docker-compose accepts the compose file', () => {
    const out = execFileSync(
      'docker-compose',
      ['-f', 'docker-compose.yml', 'config', '--services'],
      {
        cwd: root,
        env: { PATH: process.env.PATH ?? '' },
      },
    ).toString();
    expect(out.split('\n').filter(Boolean).sort()).toEqual(
      ['claims', 'gateway', 'minio', 'nats', 'plates', 'postgres', 'profiles', 'scraper'].sort(),
    );
  });

  it('builds every service from the one image definition', () => {
    const compose = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
    for (const service of ['gateway', 'profiles', 'plates', 'claims', 'scraper']) {
      expect(compose).toContain(`args: { SERVICE: ${service} }`);
    }
    const dockerfile = readFileSync(join(root, 'infra', 'Dockerfile'), 'utf8');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell variable in the Dockerfile
    expect(dockerfile).toContain('services/${SERVICE}/src/main.ts');
  });

  it('signs claim document URLs for the address MinIO is published on, not its inside name', () => {
    const { services } = composeDefaults();
    const env = services.claims?.environment ?? {};
    const inside = new URL(env.S3_ENDPOINT ?? '');
    const outside = new URL(env.S3_PUBLIC_ENDPOINT ?? '');

    expect(inside.hostname).toBe('minio');
    // "127.0.0.1:9000:9000": host address, host port, then MinIO's own port.
    const published = (services.minio?.ports ?? [])
      .map((p) => p.split(':'))
      .find((parts) => parts.at(-1) === inside.port);
    expect(published).toHaveLength(3);
    const [address, port] = published ?? [];
    const names = address === '127.0.0.1' ? ['127.0.0.1', 'localhost'] : [address];
    expect(names).toContain(outside.hostname);
    expect(outside.port).toBe(port);
  });
});

import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const root = join(import.meta.dirname, '..', '..');
const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

const SERVICES = ['gateway', 'profiles', 'plates', 'claims', 'scraper'] as const;
type Service = (typeof SERVICES)[number];

/** The port each process serves its probes on, and the variable that sets it. */
const HTTP: Record<Service, { port: number; variable: string }> = {
  gateway: { port: 3000, variable: 'PORT' },
  profiles: { port: 8080, variable: 'HTTP_PORT' },
  plates: { port: 8080, variable: 'HTTP_PORT' },
  claims: { port: 8080, variable: 'HTTP_PORT' },
  scraper: { port: 8080, variable: 'HTTP_PORT' },
};

/** Settings that must come from a Secret, never from the manifests. */
const SECRET_KEYS: Record<Service, string[]> = {
  gateway: ['CLERK_JWT_KEY'],
  profiles: ['DATABASE_URL'],
  plates: ['DATABASE_URL'],
  claims: ['DATABASE_URL', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'],
  scraper: ['DATABASE_URL'],
};
const ALL_SECRET_KEYS = new Set(Object.values(SECRET_KEYS).flat());

const FAKE_SECRETS: Record<string, string> = {
  DATABASE_URL: 'postgres://role:password@db.example:5432/reggie',
  // The gateway reads the key at start-up, so the stand-in must be a real RSA public key.
  CLERK_JWT_KEY: generateKeyPairSync('rsa', { modulusLength: 2048 })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString(),
  S3_ACCESS_KEY_ID: 'key-id',
  S3_SECRET_ACCESS_KEY: 'secret',
};

const CONFIG_LOADERS: Record<Service, () => Promise<(env: Record<string, string>) => unknown>> = {
  gateway: async () => (await import('@reggie/gateway')).loadConfig,
  profiles: async () => (await import('@reggie/profiles')).loadConfig,
  plates: async () => (await import('@reggie/plates')).loadConfig,
  claims: async () => (await import('@reggie/claims')).loadConfig,
  scraper: async () => (await import('@reggie/scraper')).loadConfig,
};

interface Resource {
  kind: string;
  apiVersion: string;
  metadata: { name: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: unknown;
}

interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { drop?: string[] };
  seccompProfile?: { type?: string };
}

interface Probe {
  httpGet?: { path?: string; port?: number | string };
}

interface Container {
  name: string;
  image: string;
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: SecretRef } }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command?: string[] } } };
  securityContext?: SecurityContext;
  volumeMounts?: { name: string; mountPath: string }[];
}

interface SecretRef {
  name: string;
  key: string;
}

interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: SecurityContext;
  terminationGracePeriodSeconds?: number;
  volumes?: { name: string; emptyDir?: object }[];
}

interface DeploymentSpec {
  replicas?: number;
  selector: { matchLabels: Record<string, string> };
  template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
}

interface HpaSpec {
  scaleTargetRef: { apiVersion: string; kind: string; name: string };
  minReplicas: number;
  maxReplicas: number;
  metrics: { type: string; resource?: { name: string } }[];
}

interface PdbSpec {
  selector: { matchLabels: Record<string, string> };
  minAvailable?: number | string;
  maxUnavailable?: number | string;
}

interface PolicyPeer {
  namespaceSelector?: { matchLabels?: Record<string, string> };
  podSelector?: object;
  ipBlock?: object;
}

interface NetworkPolicySpec {
  podSelector: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
  policyTypes?: string[];
  ingress?: { from?: PolicyPeer[] }[];
}

const rendered = new Map<string, Resource[]>();

/** `kubectl kustomize` of one overlay, parsed; rendered once per overlay. */
function render(overlay: string): Resource[] {
  const cached = rendered.get(overlay);
  if (cached) return cached;

  const dir = join(root, 'infra', 'k8s', 'overlays', overlay);
  const out = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  const docs = parseAllDocuments(out).map((doc) => doc.toJS() as Resource);
  rendered.set(overlay, docs);
  return docs;
}

function find<S>(objects: Resource[], kind: string, name: string): S {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} named ${name}`);
  return found.spec as S;
}

function podSpec(objects: Resource[], service: Service): PodSpec {
  return find<DeploymentSpec>(objects, 'Deployment', service).template.spec;
}

function mainContainer(objects: Resource[], service: Service): Container {
  const container = podSpec(objects, service).containers.find((c) => c.name === service);
  if (!container) throw new Error(`deployment ${service} has no container named ${service}`);
  return container;
}

function probePort(container: Container, probe: Probe | undefined): number | undefined {
  const port = probe?.httpGet?.port;
  if (typeof port === 'number') return port;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

/** The environment a container starts with: ConfigMaps first, then its own `env`. */
function containerEnv(objects: Resource[], container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const name = source.configMapRef?.name;
    const map = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name);
    if (!map) throw new Error(`container ${container.name} reads a missing ConfigMap ${name}`);
    Object.assign(env, map.data);
  }
  for (const entry of container.env ?? []) {
    const ref = entry.valueFrom?.secretKeyRef;
    env[entry.name] = ref ? (FAKE_SECRETS[ref.key] ?? 'secret') : (entry.value ?? '');
  }
  return env;
}

function autoscalerOf(objects: Resource[], service: Service): Resource | undefined {
  return objects.find((o) => {
    if (o.kind !== 'HorizontalPodAutoscaler') return false;
    const ref = (o.spec as HpaSpec).scaleTargetRef;
    return ref.kind === 'Deployment' && ref.name === service;
  });
}

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

for (const overlay of ['production', 'development']) {
  describe(`kubernetes overlay ${overlay}`, () => {
    it.skipIf(!hasKubectl)('every service has probes on its real endpoints', () => {
      const objects = render(overlay);

      for (const service of SERVICES) {
        const container = mainContainer(objects, service);
        const { port, variable } = HTTP[service];
        expect(container.livenessProbe?.httpGet?.path, service).toBe('/healthz');
        expect(probePort(container, container.livenessProbe), service).toBe(port);
        expect(container.readinessProbe?.httpGet?.path, service).toBe('/readyz');
        expect(probePort(container, container.readinessProbe), service).toBe(port);
        expect(probePort(container, container.startupProbe), service).toBe(port);
        expect(containerEnv(objects, container)[variable], `${service} ${variable}`).toBe(
          String(port),
        );
      }
    });

    it.skipIf(!hasKubectl)('every container requests and limits cpu and memory', () => {
      const objects = render(overlay);

      for (const service of SERVICES) {
        const spec = podSpec(objects, service);
        for (const container of [...spec.containers, ...(spec.initContainers ?? [])]) {
          const { requests, limits } = container.resources ?? {};
          const where = `${service}/${container.name}`;
          expect(requests?.cpu, where).toBeTruthy();
          expect(requests?.memory, where).toBeTruthy();
          expect(limits?.cpu, where).toBeTruthy();
          expect(limits?.memory, where).toBeTruthy();
        }
      }
    });

    it.skipIf(!hasKubectl)(
      'every service runs as non-root, read-only, without capabilities',
      () => {
        const objects = render(overlay);

        for (const service of SERVICES) {
          const spec = podSpec(objects, service);
          const pod = spec.securityContext ?? {};
          for (const container of spec.containers) {
            const own = container.securityContext ?? {};
            const where = `${service}/${container.name}`;
            expect(own.runAsNonRoot ?? pod.runAsNonRoot, where).toBe(true);
            expect(own.runAsUser ?? pod.runAsUser, where).not.toBe(0);
            expect(own.allowPrivilegeEscalation, where).toBe(false);
            expect(own.readOnlyRootFilesystem, where).toBe(true);
            expect(own.capabilities?.drop, where).toContain('ALL');
            expect((own.seccompProfile ?? pod.seccompProfile)?.type, where).toBe('RuntimeDefault');

            const tmp = container.volumeMounts?.find((m) => m.mountPath === '/tmp');
            const volume = spec.volumes?.find((v) => v.name === tmp?.name);
            expect(volume?.emptyDir, `${where} /tmp`).toBeDefined();
          }
        }
      },
    );

    it.skipIf(!hasKubectl)('every service has an autoscaler and a disruption budget', () => {
      const objects = render(overlay);

      for (const service of SERVICES) {
        const deployment = find<DeploymentSpec>(objects, 'Deployment', service);
        const hpa = autoscalerOf(objects, service);
        expect(hpa?.apiVersion, service).toBe('autoscaling/v2');
        const scaling = hpa?.spec as HpaSpec;
        const metrics = scaling.metrics.map((m) => m.resource?.name);
        expect(metrics, service).toEqual(expect.arrayContaining(['cpu', 'memory']));
        expect(scaling.minReplicas, service).toBeGreaterThanOrEqual(
          overlay === 'production' ? 2 : 1,
        );
        expect(scaling.maxReplicas, service).toBeGreaterThanOrEqual(scaling.minReplicas);
        // A count in the Deployment would undo the autoscaler's on every apply.
        expect(deployment.replicas, service).toBeUndefined();

        const labels = deployment.template.metadata.labels;
        const budgets = objects
          .filter((o) => o.kind === 'PodDisruptionBudget')
          .map((o) => o.spec as PdbSpec)
          .filter((b) => selects(b.selector.matchLabels, labels));
        expect(budgets, service).toHaveLength(1);
        expect(budgets[0]?.maxUnavailable ?? budgets[0]?.minAvailable, service).toBeDefined();
      }
    });

    it.skipIf(!hasKubectl)('the grace period outlasts the preStop pause and the drain', () => {
      const objects = render(overlay);

      for (const service of SERVICES) {
        const spec = podSpec(objects, service);
        const container = mainContainer(objects, service);
        const drainMs = Number(containerEnv(objects, container).SHUTDOWN_TIMEOUT_MS ?? 15_000);
        const [, pause] = container.lifecycle?.preStop?.exec?.command ?? [];
        expect(Number(pause), service).toBeGreaterThan(0);
        expect(spec.terminationGracePeriodSeconds, service).toBeGreaterThan(
          Number(pause) + drainMs / 1000,
        );
      }
    });

    it.skipIf(!hasKubectl)('secrets are referenced by name and never rendered', () => {
      const objects = render(overlay);

      for (const secret of objects.filter((o) => o.kind === 'Secret')) {
        expect(secret.data ?? secret.stringData ?? {}, secret.metadata.name).toEqual({});
      }
      for (const map of objects.filter((o) => o.kind === 'ConfigMap')) {
        const leaked = Object.keys(map.data ?? {}).filter((key) => ALL_SECRET_KEYS.has(key));
        expect(leaked, map.metadata.name).toEqual([]);
      }
      for (const service of SERVICES) {
        const container = mainContainer(objects, service);
        for (const key of SECRET_KEYS[service]) {
          const entry = container.env?.find((e) => e.name === key);
          expect(entry?.valueFrom?.secretKeyRef, `${service} ${key}`).toEqual({
            name: `${service}-secrets`,
            key,
          });
        }
      }
    });

    // Imports every service's entry file, which takes a few seconds the first time.
    it.skipIf(!hasKubectl)(
      "the rendered settings pass each service's own config",
      async () => {
        const objects = render(overlay);

        for (const service of SERVICES) {
          const env = containerEnv(objects, mainContainer(objects, service));
          const loadConfig = await CONFIG_LOADERS[service]();
          expect(() => loadConfig(env), service).not.toThrow();
        }
      },
      60_000,
    );

    it.skipIf(!hasKubectl)('only the gateway takes traffic from outside the namespace', () => {
      const objects = render(overlay);
      const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
      const specs = policies.map((o) => o.spec as NetworkPolicySpec);

      const denyAll = specs.find(
        (p) =>
          Object.keys(p.podSelector).length === 0 &&
          p.policyTypes?.includes('Ingress') &&
          p.policyTypes.includes('Egress') &&
          !p.ingress &&
          !('egress' in p),
      );
      expect(denyAll).toBeDefined();

      for (const policy of specs) {
        const outsiders = (policy.ingress ?? [])
          .flatMap((rule) => rule.from ?? [])
          .filter((peer) => peer.ipBlock || peer.namespaceSelector)
          .map((peer) => peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name']);
        const admitted = outsiders.filter((ns) => ns !== 'monitoring');
        if (admitted.length === 0) continue;
        expect(policy.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'gateway' });
      }
    });
  });
}

describe('kubernetes overlay production specifics', () => {
  it.skipIf(!hasKubectl)('pins release images for every service', () => {
    const objects = render('production');

    for (const service of SERVICES) {
      const { image } = mainContainer(objects, service);
      expect(image).toMatch(new RegExp(`^ghcr\\.io/getreggie/reggie-${service}:[\\w.-]+$`));
      expect(image).not.toMatch(/:(latest|dev)$/);
    }
  });

  it.skipIf(!hasKubectl)('serves api.getreggie.co.uk over TLS through the gateway', () => {
    const objects = render('production');
    const ingress = find<{
      tls?: { hosts: string[] }[];
      rules: { host: string; http: { paths: { backend: { service: { name: string } } }[] } }[];
    }>(objects, 'Ingress', 'gateway');

    expect(ingress.rules.map((r) => r.host)).toEqual(['api.getreggie.co.uk']);
    expect(ingress.tls?.[0]?.hosts).toContain('api.getreggie.co.uk');
    const backends = ingress.rules[0]?.http.paths.map((p) => p.backend.service.name);
    expect(backends).toEqual(['gateway']);
  });

  it.skipIf(!hasKubectl)('uses the production origins, R2 in the EU and production mode', () => {
    const objects = render('production');
    const gateway = containerEnv(objects, mainContainer(objects, 'gateway'));
    const claims = containerEnv(objects, mainContainer(objects, 'claims'));

    expect(gateway.ALLOWED_ORIGINS).toBe('https://getreggie.co.uk,https://admin.getreggie.co.uk');
    expect(gateway.NODE_ENV).toBe('production');
    expect(claims.S3_ENDPOINT).toMatch(/^https:\/\/[^.]+\.eu\.r2\.cloudflarestorage\.com$/);
    expect(claims.S3_BUCKET).toBe('reggie-claim-documents');
    expect(claims.S3_ENSURE_BUCKET).toBe('false');
  });
});

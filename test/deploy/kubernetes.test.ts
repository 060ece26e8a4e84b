// deploy/kubernetes/, checked by parsing each manifest (no cluster in CI): the kustomization
// lists every manifest but the Secret example; one replica with the note on why; probes on
// /healthz and /readyz at the container's HTTP port; non-root with the image's uid, a read-only
// root filesystem with /data writable, no capabilities; resources; a grace period above the
// shutdown grace; a PodDisruptionBudget that matches the pods and lets a drain proceed; the
// Service, ConfigMap, Secret and PVC wired to what the Deployment references; and the configuration
// the pod would run with is valid (and refused with the Secret's placeholders).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import YAML from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { AppError } from '../../src/errors.js';

const ROOT = join(import.meta.dirname, '../..');
const DIR = join(ROOT, 'deploy/kubernetes');

// Minimal shapes of what the tests read.
interface Meta { name: string; labels?: Record<string, string>; annotations?: Record<string, string> }
interface Probe { httpGet?: { path: string; port: string | number }; periodSeconds?: number; failureThreshold?: number }
interface Container {
  name: string; image: string; args?: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
  ports?: Array<{ name: string; containerPort: number }>;
  startupProbe?: Probe; livenessProbe?: Probe; readinessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { runAsNonRoot?: boolean; allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; capabilities?: { drop?: string[]; add?: string[] } };
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}
interface PodSpec {
  terminationGracePeriodSeconds?: number; enableServiceLinks?: boolean; automountServiceAccountToken?: boolean;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; runAsGroup?: number; fsGroup?: number; seccompProfile?: { type: string } };
  containers: Container[];
  volumes?: Array<{ name: string; persistentVolumeClaim?: { claimName: string }; configMap?: { name: string }; emptyDir?: object; secret?: object }>;
}
interface Manifest {
  apiVersion: string; kind: string; metadata: Meta;
  spec?: Record<string, unknown>; data?: Record<string, string>; stringData?: Record<string, string>;
}
interface Deployment extends Manifest {
  spec: { replicas: number; strategy?: { type: string }; selector: { matchLabels: Record<string, string> }; template: { metadata: Meta; spec: PodSpec } };
}

/** Every document of every YAML file in the folder, with the file it came from. */
const files = readdirSync(DIR).filter(f => /\.ya?ml$/.test(f));
const docs = files.flatMap(file => YAML.parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map(d => {
  if (d.errors.length > 0) throw new Error(`${file}: ${d.errors[0]?.message}`);
  return { file, m: d.toJS() as Manifest };
})).filter(d => d.m !== null);
const manifests = docs.filter(d => d.m.kind !== 'Kustomization');
const one = <T extends Manifest>(kind: string): T => {
  const found = manifests.filter(d => d.m.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return (found[0] as { m: Manifest }).m as T;
};
const deployment = one<Deployment>('Deployment');
const pod = deployment.spec.template.spec;
const container = pod.containers[0] as Container;
const configMap = one('ConfigMap');
const secret = one('Secret');
const service = one('Service');
const pvc = one('PersistentVolumeClaim');
const pdb = one('PodDisruptionBudget');
const selects = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

/** The image's USER uid, from the Dockerfile's last USER line. */
function imageUid(): number {
  const users = [...readFileSync(join(ROOT, 'Dockerfile'), 'utf8').matchAll(/^USER\s+(\d+)/gm)];
  return Number(users.at(-1)?.[1]);
}

/** The BOUNCE_TRIAGE_* variables the image sets. */
function imageEnv(): Record<string, string> {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  return Object.fromEntries([...text.slice(text.lastIndexOf('\nFROM ')).matchAll(/\b(BOUNCE_TRIAGE_\w+)=(\S+)/g)].map(m => [m[1] as string, m[2] as string]));
}

/** The environment the container gets, with Secret references resolved from `secretData`. */
function podEnv(secretData: Record<string, string>): Record<string, string> {
  const env = { ...imageEnv() };
  for (const e of container.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef;
    env[e.name] = ref ? secretData[ref.key] ?? '' : e.value ?? '';
  }
  return env;
}

/** The config file the ConfigMap mounts, written to a temporary path, as --config would read it. */
function configFile(t: Test): string {
  const path = join(t.testdir({}), 'config.yaml');
  writeFileSync(path, configMap.data?.['config.yaml'] ?? '');
  return path;
}

t.test('every manifest parses, has a kind and a name, and the kustomization lists them all but the Secret example', async t => {
  for (const { file, m } of docs) {
    t.ok(m.apiVersion && m.kind, `${file}: apiVersion and kind`);
    if (m.kind !== 'Kustomization') t.ok(m.metadata?.name, `${file}: a name`);
  }
  const kustomization = docs.find(d => d.m.kind === 'Kustomization')?.m as unknown as { resources: string[]; images?: Array<{ name: string; newTag?: string }> };
  t.same([...kustomization.resources].sort(), files.filter(f => f !== 'kustomization.yaml' && f !== 'secret.example.yaml').sort());
  t.notOk(kustomization.resources.includes('secret.example.yaml'), 'applying never overwrites the real Secret with placeholders');
  t.same(manifests.map(d => d.m.kind).sort(), ['ConfigMap', 'Deployment', 'PersistentVolumeClaim', 'PodDisruptionBudget', 'Secret', 'Service']);
  const image = kustomization.images?.find(i => i.name === container.image.split(':')[0]);
  t.ok(image?.newTag && image.newTag !== 'latest', 'the image tag is pinned');
  t.notMatch(container.image, /:latest$|^[^:]+$/, 'the Deployment names a tag');
});

t.test('one replica, recreated, with the reason written next to it', async t => {
  t.equal(deployment.spec.replicas, 1);
  t.equal(deployment.spec.strategy?.type, 'Recreate', 'never two pods on one SQLite file during a rollout');
  const text = readFileSync(join(DIR, 'deployment.yaml'), 'utf8');
  const before = text.slice(0, text.indexOf('replicas: 1'));
  const note = before.split('\n').slice(-4).join('\n');
  t.match(note, /SQLite/, 'the comment above replicas names SQLite...');
  t.match(note, /single-writer/i, '...as single-writer...');
  t.match(note, /PostgreSQL/, '...and that more replicas need the PostgreSQL store');
  t.ok(selects(deployment.spec.selector.matchLabels, deployment.spec.template.metadata.labels), 'the selector matches the pod template');
});

t.test('probes: liveness and startup on /healthz, readiness on /readyz, at the HTTP port', async t => {
  const http = container.ports?.find(p => p.name === 'http');
  const smtp = container.ports?.find(p => p.name === 'smtp');
  const config = loadConfig({ file: configFile(t), env: podEnv({ 'webhook-secrets': 'whsec_' + Buffer.alloc(32, 1).toString('base64'), 'api-tokens': 'x'.repeat(32) }) });
  t.equal(http?.containerPort, config.http.port, 'containerPort http = http.port of the running config');
  t.equal(smtp?.containerPort, config.smtp.port, 'containerPort smtp = smtp.port');
  const port = (p: Probe | undefined) => p?.httpGet?.port === 'http' || p?.httpGet?.port === http?.containerPort;
  t.equal(container.livenessProbe?.httpGet?.path, '/healthz');
  t.equal(container.readinessProbe?.httpGet?.path, '/readyz');
  t.equal(container.startupProbe?.httpGet?.path, '/healthz');
  for (const p of [container.livenessProbe, container.readinessProbe, container.startupProbe]) t.ok(port(p), 'on the HTTP port');
});

t.test('security: non-root with the image uid, read-only root, /data writable, no capabilities', async t => {
  t.equal(pod.securityContext?.runAsNonRoot, true);
  t.equal(container.securityContext?.runAsNonRoot, true);
  t.equal(pod.securityContext?.runAsUser, imageUid(), "runAsUser is the Dockerfile's USER");
  t.equal(pod.securityContext?.fsGroup, pod.securityContext?.runAsGroup, 'fsGroup makes the volume writable for that group');
  t.equal(pod.securityContext?.seccompProfile?.type, 'RuntimeDefault');
  t.equal(container.securityContext?.readOnlyRootFilesystem, true);
  t.equal(container.securityContext?.allowPrivilegeEscalation, false);
  t.same(container.securityContext?.capabilities?.drop, ['ALL']);
  t.notOk(container.securityContext?.capabilities?.add, 'none added back');
  t.equal(pod.automountServiceAccountToken, false, 'no API credentials in the pod');
  t.equal(pod.enableServiceLinks, false, 'no BOUNCE_TRIAGE_SERVICE_* variables from the Service of the same name');

  const mounts = container.volumeMounts ?? [];
  const data = mounts.find(m => m.mountPath === '/data');
  t.ok(data && !data.readOnly, '/data is mounted writable');
  const dataVolume = pod.volumes?.find(v => v.name === data?.name);
  t.equal(dataVolume?.persistentVolumeClaim?.claimName, pvc.metadata.name, 'from the PersistentVolumeClaim');
  t.same((pvc.spec as { accessModes: string[] }).accessModes, ['ReadWriteOnce']);
  t.ok(mounts.some(m => m.mountPath === '/tmp'), '/tmp is a writable emptyDir (SQLite temporary files)');
  t.equal(podEnv({}).BOUNCE_TRIAGE_STORE_SQLITE_PATH?.startsWith('/data/'), true, 'the database is on that volume');
  for (const m of mounts) t.ok(pod.volumes?.some(v => v.name === m.name), `volume ${m.name} is declared`);
});

t.test('resources and a grace period above the shutdown grace', async t => {
  for (const k of ['cpu', 'memory']) t.ok(container.resources?.requests?.[k], `requests.${k}`);
  t.ok(container.resources?.limits?.memory, 'limits.memory');
  const config = loadConfig({ file: configFile(t), env: podEnv({ 'webhook-secrets': 'whsec_' + Buffer.alloc(32, 1).toString('base64'), 'api-tokens': 'x'.repeat(32) }) });
  const grace = (pod.terminationGracePeriodSeconds ?? 30) * 1000;
  t.ok(grace > config.smtp.shutdownGrace + config.webhook.timeout,
    `terminationGracePeriodSeconds (${grace} ms) > smtp.shutdownGrace (${config.smtp.shutdownGrace}) + webhook.timeout (${config.webhook.timeout})`);
});

t.test('a PodDisruptionBudget that matches the pods and does not block drains of the one replica', async t => {
  t.equal(pdb.apiVersion, 'policy/v1');
  const spec = pdb.spec as { selector: { matchLabels: Record<string, string> }; minAvailable?: number | string; maxUnavailable?: number | string };
  t.ok(selects(spec.selector.matchLabels, deployment.spec.template.metadata.labels), 'selects the Deployment’s pods');
  const blocks = spec.minAvailable !== undefined ? Number(spec.minAvailable) >= deployment.spec.replicas : Number(spec.maxUnavailable) === 0;
  t.notOk(blocks, 'a budget of zero disruptions on one replica would block every node drain');
});

t.test('the Service, ConfigMap and Secret are the ones the Deployment uses', async t => {
  const sspec = service.spec as { selector: Record<string, string>; ports: Array<{ name: string; port: number; targetPort: string | number }> };
  t.ok(selects(sspec.selector, deployment.spec.template.metadata.labels), 'the Service selects the pods');
  const byName = Object.fromEntries(sspec.ports.map(p => [p.name, p]));
  t.same([byName.smtp?.port, byName.http?.port], [2525, 9525]);
  for (const p of sspec.ports) t.ok(container.ports?.some(c => c.name === p.targetPort || c.containerPort === p.targetPort), `${p.name} targets a container port`);

  const configVolume = pod.volumes?.find(v => v.configMap);
  t.equal(configVolume?.configMap?.name, configMap.metadata.name);
  const mountPath = container.volumeMounts?.find(m => m.name === configVolume?.name)?.mountPath;
  const args = container.args ?? [];
  t.equal(args[0], 'serve');
  t.equal(args[args.indexOf('--config') + 1], `${mountPath}/config.yaml`, '--config names the mounted key');
  t.ok(configMap.data?.['config.yaml'], 'the ConfigMap holds config.yaml');

  const refs = (container.env ?? []).filter(e => e.valueFrom?.secretKeyRef).map(e => ({ env: e.name, ...e.valueFrom?.secretKeyRef }));
  t.same(refs.map(r => r.env).sort(), ['BOUNCE_TRIAGE_HTTP_API_TOKENS', 'BOUNCE_TRIAGE_WEBHOOK_SECRETS']);
  for (const r of refs) {
    t.equal(r.name, secret.metadata.name, `${r.env} comes from the Secret`);
    t.ok(r.key && secret.stringData && r.key in secret.stringData, `${r.env}: key ${r.key} exists in the Secret`);
  }
  t.notOk(/secrets?:|apiTokens:/.test(configMap.data?.['config.yaml'] ?? ''), 'no secret in the ConfigMap');
});

t.test('the pod would run with a valid config, and refuses the placeholders', async t => {
  const file = configFile(t);
  const good = loadConfig({ file, env: podEnv({ 'webhook-secrets': 'whsec_' + Buffer.alloc(32, 9).toString('base64'), 'api-tokens': 'y'.repeat(48) }) });
  t.equal(good.http.host, '0.0.0.0');
  t.equal(good.store.sqlitePath, '/data/bounce-triage.sqlite');
  t.ok(good.webhook.url.startsWith('https://'));
  let problems: string[] = [];
  try {
    loadConfig({ file, env: podEnv(secret.stringData ?? {}) });
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    problems = err.details;
  }
  t.ok(problems.some(p => p.startsWith('webhook.secrets')), 'the placeholder webhook secret is refused (exit 78)');
  t.ok(problems.some(p => p.startsWith('http.apiTokens')), 'the placeholder API token is refused (exit 78)');
});

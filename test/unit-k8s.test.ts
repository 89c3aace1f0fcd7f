// deploy/k8s manifests: valid against the Kubernetes API's JSON schemas (kubernetes-models, which
// ships them, offline), and consistent with the server: probes on real routes, a grace period
// above the drain, the service selecting the pods, the volume where the server writes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { StatefulSet } from 'kubernetes-models/apps/v1';
import { Service } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';

const DIR = path.resolve(import.meta.dirname, '../deploy/k8s');
// biome-ignore lint/suspicious/noExplicitAny: manifests are walked as plain JSON
const docs: any[] = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(DIR, f), 'utf8')).map((d) => d.toJSON()));

const MODELS: Record<string, new (o: never) => { validate(): void }> = {
  'apps/v1/StatefulSet': StatefulSet,
  'v1/Service': Service,
};

describe('k8s manifests', () => {
  test('every document validates against its Kubernetes schema', () => {
    assert.ok(docs.length >= 3);
    for (const d of docs) {
      const Model = MODELS[`${d.apiVersion}/${d.kind}`];
      assert.ok(Model, `no schema for ${d.apiVersion} ${d.kind}`);
      assert.doesNotThrow(() => new Model(d as never).validate(), `${d.kind} ${d.metadata?.name}`);
    }
    // The checker does catch mistakes: a wrong type is refused.
    const broken = structuredClone(docs.find((d) => d.kind === 'StatefulSet'));
    broken.spec.replicas = 'one';
    assert.throws(() => new StatefulSet(broken).validate());
  });

  test('consistent with the server: probes, drain, selector, volume, non-root', () => {
    const sts = docs.find((d) => d.kind === 'StatefulSet');
    const pod = sts.spec.template.spec;
    const c = pod.containers[0];
    const env = Object.fromEntries(c.env.map((e: { name: string; value?: string }) => [e.name, e.value]));
    assert.ok(pod.terminationGracePeriodSeconds > Number(env.SHUTDOWN_GRACE_SECONDS), 'grace period above the drain');
    for (const p of [c.startupProbe, c.livenessProbe, c.readinessProbe]) assert.match(p.httpGet.path, /^\/api\/v1\/health\/(live|ready)$/);
    assert.equal(env.HOST, '0.0.0.0');
    assert.match(env.DATABASE_URL, /^sqlite:\/\/\/\/data\//);
    assert.match(env.CLAUDE_CONFIG_DIR, /^\/data\//);
    assert.ok(c.volumeMounts.some((m: { name: string; mountPath: string }) => m.name === 'data' && m.mountPath === '/data'));
    assert.equal(sts.spec.volumeClaimTemplates[0].metadata.name, 'data');
    assert.equal(pod.securityContext.runAsUser, 10001);
    assert.equal(pod.securityContext.runAsNonRoot, true);
    const services = docs.filter((d) => d.kind === 'Service');
    assert.ok(services.some((s) => s.metadata.name === sts.spec.serviceName && s.spec.clusterIP === 'None'));
    for (const s of services) assert.deepEqual(s.spec.selector, sts.spec.template.metadata.labels);
  });
});

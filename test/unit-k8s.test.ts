// deploy/k8s manifests: valid against the Kubernetes API's JSON schemas (kubernetes-models, which
// ships them, offline), and consistent with the server and with each other: probes on real
// routes, a grace period above the drain, REPLICA_ID from the pod name, PostgreSQL from a Secret,
// one ReadWriteMany volume for every replica, selectors that select, the router carrying
// deploy/nginx's routing as it is (and parsing with Debian's nginx where installed).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { Deployment } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, PersistentVolumeClaim, Secret, Service } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';

const DIR = path.resolve(import.meta.dirname, '../deploy/k8s');
const NGINX_DIR = path.resolve(import.meta.dirname, '../deploy/nginx');
// biome-ignore lint/suspicious/noExplicitAny: manifests are walked as plain JSON
type Doc = any;
const docs: Doc[] = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(DIR, f), 'utf8')).map((d) => d.toJSON()));

const MODELS: Record<string, new (o: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
};

const one = (kind: string, name: string): Doc => {
  const d = docs.find((x) => x.kind === kind && x.metadata?.name === name);
  assert.ok(d, `${kind} ${name} exists`);
  return d;
};
const server = () => one('Deployment', 'claude-sdk-pattern');
const router = () => one('Deployment', 'claude-sdk-pattern-router');
/** Whether a label selector selects a pod template's labels. */
const selects = (sel: Record<string, string>, labels: Record<string, string>) => Object.entries(sel).every(([k, v]) => labels[k] === v);

describe('k8s manifests', () => {
  test('every document validates against its Kubernetes schema', () => {
    assert.ok(docs.length >= 9);
    for (const d of docs) {
      const Model = MODELS[`${d.apiVersion}/${d.kind}`];
      assert.ok(Model, `no schema for ${d.apiVersion} ${d.kind}`);
      assert.doesNotThrow(() => new Model(d as never).validate(), `${d.kind} ${d.metadata?.name}`);
    }
    // The checker does catch mistakes: a wrong type is refused.
    const broken = structuredClone(server());
    broken.spec.replicas = 'three';
    assert.throws(() => new Deployment(broken).validate());
  });

  test('the replicas: a Deployment on PostgreSQL and a shared volume, REPLICA_ID from the pod name, probes, drain, non-root', () => {
    const dep = server();
    assert.ok(dep.spec.replicas >= 2);
    assert.equal(docs.filter((d) => d.kind === 'StatefulSet').length, 0, 'no StatefulSet: replicas are interchangeable');
    const pod = dep.spec.template.spec;
    const c = pod.containers[0];
    const env = Object.fromEntries(c.env.map((e: Doc) => [e.name, e]));
    assert.ok(pod.terminationGracePeriodSeconds > Number(env.SHUTDOWN_GRACE_SECONDS.value), 'grace period above the drain');
    for (const p of [c.startupProbe, c.livenessProbe, c.readinessProbe]) {
      assert.match(p.httpGet.path, /^\/api\/v1\/health\/(live|ready)$/);
      assert.equal(p.httpGet.port, c.ports[0].name);
    }
    assert.equal(env.HOST.value, '0.0.0.0');
    assert.equal(Number(env.PORT.value), c.ports[0].containerPort);
    assert.deepEqual(env.REPLICA_ID.valueFrom, { fieldRef: { fieldPath: 'metadata.name' } });
    assert.ok(Number(env.SESSION_LEASE_SECONDS.value) > 0);
    // PostgreSQL from a Secret that is here (the managed-service example).
    const ref = env.DATABASE_URL.valueFrom.secretKeyRef;
    const secret = one('Secret', ref.name);
    assert.match(secret.stringData[ref.key], /^postgres(ql)?:\/\//);
    // The data folder (./data of the working folder /app, on PostgreSQL) and /project from one ReadWriteMany claim.
    const shared = pod.volumes.find((v: Doc) => v.persistentVolumeClaim);
    const claim = one('PersistentVolumeClaim', shared.persistentVolumeClaim.claimName);
    assert.deepEqual(claim.spec.accessModes, ['ReadWriteMany']);
    for (const [mount, dir] of [
      ['/app/data', env.CLAUDE_CONFIG_DIR.value],
      ['/project', env.PROJECT_DIR.value],
    ])
      assert.ok(
        c.volumeMounts.some((m: Doc) => m.name === shared.name && m.mountPath === mount) && (dir as string).startsWith(mount),
        `${mount} on the shared volume`,
      );
    // On PostgreSQL the data folder is ./data of the image's working folder: that is the shared mount.
    const workdir = [
      ...fs.readFileSync(path.resolve(import.meta.dirname, '../Dockerfile'), 'utf8').matchAll(/^WORKDIR (\S+)/gm),
    ].pop()?.[1];
    assert.equal(`${workdir}/data`, '/app/data');
    assert.equal(pod.securityContext.runAsUser, 10001);
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.equal(c.securityContext.readOnlyRootFilesystem, true);
  });

  test('services, budgets and the network policy select the pods they mean; no client-address affinity', () => {
    const serverLabels = server().spec.template.metadata.labels;
    const routerLabels = router().spec.template.metadata.labels;
    assert.ok(selects(server().spec.selector.matchLabels, serverLabels));
    assert.ok(selects(router().spec.selector.matchLabels, routerLabels));
    const replicas = one('Service', 'claude-sdk-pattern-replicas');
    assert.equal(replicas.spec.clusterIP, 'None', 'headless: its name lists every replica');
    assert.ok(selects(replicas.spec.selector, serverLabels) && !selects(replicas.spec.selector, routerLabels));
    const front = one('Service', 'claude-sdk-pattern');
    assert.ok(selects(front.spec.selector, routerLabels) && !selects(front.spec.selector, serverLabels));
    for (const s of docs.filter((d) => d.kind === 'Service')) assert.notEqual(s.spec.sessionAffinity, 'ClientIP');
    const budgets = docs.filter((d) => d.kind === 'PodDisruptionBudget');
    const serverBudget = budgets.find((b) => selects(b.spec.selector.matchLabels, serverLabels));
    assert.ok(serverBudget && serverBudget.spec.maxUnavailable < server().spec.replicas);
    assert.ok(budgets.some((b) => selects(b.spec.selector.matchLabels, routerLabels)));
    const policy = one('NetworkPolicy', 'claude-sdk-pattern');
    assert.ok(selects(policy.spec.podSelector.matchLabels, serverLabels));
    assert.ok(policy.spec.ingress[0].from.some((f: Doc) => f.podSelector && selects(f.podSelector.matchLabels, routerLabels)));
  });

  test("the router carries deploy/nginx's routing as it is, in front of the replicas' headless service", () => {
    const cm = one('ConfigMap', 'claude-sdk-pattern-router');
    for (const f of ['routing.conf', 'locations.conf'])
      assert.equal(cm.data[f], fs.readFileSync(path.join(NGINX_DIR, f), 'utf8'), `${f} is deploy/nginx/${f}`);
    const port = server().spec.template.spec.containers[0].ports[0].containerPort;
    assert.match(
      cm.data['replicas.conf'],
      new RegExp(`server claude-sdk-pattern-replicas\\.[a-z0-9-]+\\.svc\\.cluster\\.local:${port} resolve`),
    );
    const pod = router().spec.template.spec;
    const c = pod.containers[0];
    const mount = c.volumeMounts.find((m: Doc) => pod.volumes.find((v: Doc) => v.name === m.name)?.configMap?.name === cm.metadata.name);
    assert.ok(mount);
    assert.deepEqual(c.command.slice(0, 3), ['nginx', '-c', `${mount.mountPath}/nginx.conf`]);
    assert.match(cm.data['nginx.conf'], new RegExp(`listen ${c.ports[0].containerPort};`));
    for (const p of [c.readinessProbe, c.livenessProbe]) assert.ok(cm.data['nginx.conf'].includes(`location = ${p.httpGet.path} `));
    assert.equal(pod.securityContext.runAsNonRoot, true);
  });

  const nginx = ['/usr/sbin/nginx', '/usr/local/sbin/nginx'].find((p) => fs.existsSync(p));
  test("the router's nginx.conf parses (Debian's nginx; the DNS lines swapped for static ones)", {
    skip: !nginx && 'nginx is not installed',
  }, () => {
    const cm = one('ConfigMap', 'claude-sdk-pattern-router');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csp-k8s-nginx-'));
    try {
      for (const [f, text] of Object.entries(cm.data as Record<string, string>)) fs.writeFileSync(path.join(dir, f), text);
      // `resolve` in an upstream needs nginx 1.27.3 (the image's); Debian's 1.22 parses the rest.
      fs.writeFileSync(path.join(dir, 'replicas.conf'), 'server 127.0.0.1:8000 max_fails=1 fail_timeout=10s;\n');
      const conf = fs
        .readFileSync(path.join(dir, 'nginx.conf'), 'utf8')
        .replace(/resolver [^;]+;/, 'resolver 127.0.0.1 valid=5s;')
        .replaceAll('/tmp/', `${dir}/`)
        // The container's output is a pipe; node's is a socket, which /dev/stdout cannot open.
        .replace('/dev/stdout', `${dir}/access.log`);
      fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
      execFileSync(nginx as string, ['-t', '-p', `${dir}/`, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')], {
        stdio: 'pipe',
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Search and snippets, engine-neutral (the repository contract: test/helpers/repository-contract.ts).
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { assistant, at, type Case, conversation, type Engine, meta, sorted, toolResult, user } from './repository-fixtures.js';

export function searchCases(engine: Engine, it: Case): void {
  describe(`${engine.name}: search`, () => {
    it('every word must be in one message (as a prefix, any case); the newest matching message of each session', async (r) => {
      const a = await conversation(r, [user('Deploy the staging cluster'), assistant('Deployment done'), user('deploy production now')]);
      const b = await conversation(r, [user('deploy'), assistant('cluster ready')]);
      const hits = await r.history.search('deplo CLUSTER');
      assert.deepEqual(sorted(hits.keys()), [a], 'b has the words in two messages only');
      const rows = await r.history.all(a);
      const hitsDeploy = await r.history.search('deploy');
      assert.deepEqual(sorted(hitsDeploy.keys()), sorted([a, b]));
      // the id is the newest matching message's: its snippet is that message's
      const s = await r.history.snippet('deploy', hitsDeploy.get(a) as number);
      assert.match(s ?? '', /production/);
      assert.equal(rows.length, 3);
      assert.deepEqual(sorted((await r.history.search('stag')).keys()), [a]);
      assert.deepEqual(sorted((await r.history.search('taging')).keys()), [], 'a word matches from its start only');
    });

    it('tool calls and their output are never searched', async (r) => {
      await conversation(r, [user('list files'), toolResult('secretfile.txt'), assistant('done')]);
      assert.equal((await r.history.search('secretfile')).size, 0);
    });

    it('titles match too (the id is undefined when only the title did); a message hit keeps its id', async (r) => {
      const a = await conversation(r, [user('nothing here')], { title: 'Quarterly report' });
      const b = await conversation(r, [user('the quarterly numbers')], { title: 'Quarterly figures' });
      const hits = await r.history.search('quarterly');
      assert.deepEqual(sorted(hits.keys()), sorted([a, b]));
      assert.equal(hits.get(a), undefined);
      assert.equal(typeof hits.get(b), 'number');
      // a renamed session is found by its new title only
      await r.sessions.save(meta({ session_id: a, title: 'Annual summary' }));
      assert.deepEqual(sorted((await r.history.search('quarterly')).keys()), [b]);
      assert.deepEqual(sorted((await r.history.search('annual summ')).keys()), [a]);
    });

    it('nothing typed is query syntax: quotes, stars, operators and brackets are separators', async (r) => {
      const a = await conversation(r, [user('fix the "login" bug AND the crash (urgent) - now: ok')]);
      for (const q of [
        '"login',
        'login"',
        '"login" bug',
        'login*',
        'bug AND crash',
        'NOT login',
        '(urgent',
        'urgent)',
        '-now',
        'now:',
        'OR',
        '^fix',
        'fix +crash',
        "login' OR '1'='1",
      ]) {
        const hits = await r.history.search(q);
        // Words of the query that are in the message find it; none of these throws.
        const words = q.match(/[\p{L}\p{N}_]+/gu) ?? [];
        const inText = words.every(
          (w) =>
            /fix|the|login|bug|and|crash|urgent|now|ok/i.test(w) &&
            ['fix', 'the', 'login', 'bug', 'and', 'crash', 'urgent', 'now', 'ok'].some((t) => t.startsWith(w.toLowerCase())),
        );
        assert.equal(hits.has(a), inText, q);
      }
      for (const q of ['', '   ', '"', '***', '()', '-', '…'])
        assert.equal((await r.history.search(q)).size, 0, `no word: ${JSON.stringify(q)}`);
    });

    it('unicode: letters of any script, case folded, Latin diacritics folded, digits are words', async (r) => {
      const a = await conversation(r, [user('Le café est prêt à Zürich, 2026 édition')]);
      const b = await conversation(r, [assistant('日本語 のテキスト と Ωμέγα')]);
      assert.deepEqual(sorted((await r.history.search('cafe')).keys()), [a]);
      assert.deepEqual(sorted((await r.history.search('CAFÉ pret')).keys()), [a]);
      assert.deepEqual(sorted((await r.history.search('zurich')).keys()), [a]);
      assert.deepEqual(sorted((await r.history.search('edition 202')).keys()), [a]);
      assert.deepEqual(sorted((await r.history.search('日本')).keys()), [b]);
      assert.deepEqual(sorted((await r.history.search('ωμέγα')).keys()), [b]);
    });

    it('a word that the text splits (foo_bar) matches its parts as a phrase', async (r) => {
      const a = await conversation(r, [user('call foo_bar()')]);
      const b = await conversation(r, [user('the foo bar is open')]);
      const c = await conversation(r, [user('bar foo, reversed')]);
      assert.deepEqual(sorted((await r.history.search('foo_bar')).keys()), sorted([a, b]));
      assert.deepEqual(sorted((await r.history.search('foo_ba')).keys()), sorted([a, b]), 'the last part as a prefix');
      assert.ok(!(await r.history.search('foo_bar')).has(c));
    });

    it('archived sessions are found; replaced and deleted messages are not', async (r) => {
      const a = await conversation(r, [user('wombat migration plan')]);
      await r.removals.setArchived(a, at(1));
      assert.deepEqual(sorted((await r.history.search('wombat')).keys()), [a]);
      await r.history.replaceFrom(a, 0, [user('koala instead')], { bytes: 2, format: 1, count: 1 });
      assert.equal((await r.history.search('wombat')).size, 0);
      assert.deepEqual(sorted((await r.history.search('koala')).keys()), [a]);
    });

    it('snippet: a short excerpt around the match, no markers, … where cut; undefined without a word or a match', async (r) => {
      const long = `${'alpha '.repeat(40)}needle ${'omega '.repeat(40)}`.trim();
      const id = await conversation(r, [user(long)]);
      const hit = (await r.history.search('needle')).get(id) as number;
      const s = (await r.history.snippet('needle', hit)) ?? '';
      assert.match(s, /needle/);
      assert.ok(s.includes('…'), s);
      assert.ok(!/[<>[\]]|\*\*/.test(s), `no markers: ${s}`);
      assert.ok(s.split(/\s+/).length <= 24, `short: ${s}`);
      assert.equal(await r.history.snippet('"', hit), undefined);
      assert.equal(await r.history.snippet('zebra', hit), undefined);
      const short = await conversation(r, [user('Deploy now')]);
      const sh = (await r.history.search('deploy')).get(short) as number;
      assert.equal(await r.history.snippet('deploy', sh), 'Deploy now');
    });
  });
}

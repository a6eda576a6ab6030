import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { describeEachEngine } from '../../test/support/db.ts';
import { SaltApiClient } from '../salt/client.ts';
import { insertActivityEvents } from '../activity/service.ts';
import { normalizeEvent } from '../activity/normalize.ts';
import { ErrorBody } from '../http/problem.ts';
import { activeJobs } from '../jobs/active.ts';
import { runDispatches } from './model.ts';
import { RunAccepted, RunProgress } from './schemas.ts';
import { EVIL, HX, orchestrationAnswer, settle, useRunTestbed, type RunTestbed } from './testkit.ts';

describeEachEngine('run progress and batches', (engine) => {
  const tb = useRunTestbed(engine);
  const { sent, hub } = tb;
  const ctx = () => tb.ctx();
  const post: RunTestbed['post'] = (...a) => tb.post(...a);
  const postForm: RunTestbed['postForm'] = (...a) => tb.postForm(...a);
  const get: RunTestbed['get'] = (...a) => tb.get(...a);

  test('batch: a runner job on the master (runner_async state.orchestrate_single), never local_batch nor local_async', async () => {
    sent.length = 0;
    const res = await post('/api/run', { target: '*', fun: 'test.ping', batch: '50%', args: ['x'], timeout: 9 });
    assert.equal(res.status, 202, await res.clone().text());
    const a = RunAccepted.parse(await res.json());
    assert.equal(a.batch, '50%');
    assert.deepEqual(a.minions, [EVIL, 'web01', 'web02'], 'the resolved target');
    assert.deepEqual(sent, [
      {
        client: 'runner_async',
        fun: 'state.orchestrate_single',
        kwarg: { fun: 'salt.function', name: 'test.ping', tgt: '*', tgt_type: 'glob', batch: '50%', arg: ['x'], timeout: 9 },
      },
    ]);
    const [rec] = await ctx().handle.db.select().from(runDispatches).where(eq(runDispatches.jid, a.jid));
    assert.deepEqual([rec!.batch, rec!.minions], ['50%', [EVIL, 'web01', 'web02']]);
    sent.length = 0;
    const list = RunAccepted.parse(await (await post('/api/run', { target: 'web01,web02', target_type: 'list', fun: 'test.ping', batch: 1 })).json());
    assert.equal(list.batch, '1');
    assert.deepEqual((sent[0]!.kwarg as { tgt: unknown }).tgt, ['web01', 'web02']);
    const none = await post('/api/run', { target: 'nosuch*', fun: 'test.ping', batch: '1' });
    assert.equal(none.status, 422);
  });

  test('batch progress: returns of the function from the targeted minions since the dispatch; done when the runner is', async () => {
    hub.setStatus('connected', null);
    try {
      const a = RunAccepted.parse(await (await post('/api/run', { target: 'web*', fun: 'test.ping', batch: '1' })).json());
      tb.client.lookups.set(a.jid, {});
      const ret = (jid: string, mid: string, fun = 'test.ping') =>
        normalizeEvent({ tag: `salt/job/${jid}/ret/${mid}`, data: { id: mid, fun, success: true, retcode: 0, return: true, jid } })!;
      // One batch returned (its own jid); another function and another minion do not count.
      await insertActivityEvents(ctx().handle.db, 'default', [ret('20990101000000000001', 'web01'), ret('20990101000000000002', 'web02', 'test.echo'), ret('20990101000000000003', EVIL)]);
      const mid = RunProgress.parse(await (await get(`/api/run/${a.jid}`)).json());
      assert.deepEqual([mid.returned, mid.pending, mid.done], [1, 1, false]);
      const html = await (await get(`/api/run/${a.jid}`, tb.admin, HX)).text();
      assert.match(html, /Batch <span>1<\/span>/);
      // The runner ended and web02 never answered: done, web02 without a return.
      tb.client.lookups.set(a.jid, orchestrationAnswer(a.jid, { web01: true }));
      const done = RunProgress.parse(await (await get(`/api/run/${a.jid}?results=always`)).json());
      assert.deepEqual([done.returned, done.done, done.results_loaded], [1, true, true]);
      assert.deepEqual(done.minions.map((m) => [m.minion, m.status]), [['web02', 'missing'], ['web01', 'returned']]);
      hub.setStatus('off', null);
      // Stream off: lookup_jid of the runner says nothing until it ends, then everything.
      const b = RunAccepted.parse(await (await post('/api/run', { target: 'web*', fun: 'test.ping', batch: '1' })).json());
      tb.client.lookups.set(b.jid, {});
      const running = RunProgress.parse(await (await get(`/api/run/${b.jid}`)).json());
      assert.deepEqual([running.returned, running.pending, running.done, running.source], [0, 2, false, 'lookup_jid']);
      tb.client.lookups.set(b.jid, orchestrationAnswer(b.jid, { web01: true, web02: true }));
      const over = RunProgress.parse(await (await get(`/api/run/${b.jid}`)).json());
      assert.deepEqual([over.returned, over.done], [2, true]);
      assert.equal(over.minions.find((m) => m.minion === 'web02')!.return, true);
    } finally {
      hub.setStatus('off', null);
    }
  });

  test('progress with the stream off: jobs.lookup_jid, counts, state results rendered, link to the job', async () => {
    hub.setStatus('off', null);
    const a = RunAccepted.parse(await (await post('/api/run', { target: 'web*', fun: 'state.apply', args: ['demo'], confirm: true })).json());
    await settle();
    const res = await get(`/api/run/${a.jid}`);
    assert.equal(res.status, 200, await res.clone().text());
    const p = RunProgress.parse(await res.json());
    assert.equal(p.source, 'lookup_jid');
    assert.deepEqual([p.targeted, p.returned, p.pending, p.done], [2, 2, 0, true]);
    assert.equal(p.failed, 2, 'demo.sls has a failing state on every minion');
    assert.ok(p.results_loaded);
    const html = await (await get(`/api/run/${a.jid}`, tb.admin, HX)).text();
    assert.match(html, /<progress max="2" value="2">/);
    assert.match(html, /class="state-results"/);
    assert.ok(html.includes(`href="/jobs/${a.jid}"`));
    assert.ok(!/hx-trigger/.test(html), 'a finished run stops refreshing');
    const page = await get(`/run/${a.jid}`, tb.admin, { Accept: 'text/html' });
    assert.equal(page.status, 200);
    assert.match(await page.text(), new RegExp(`href="/jobs/${a.jid}"`));
    assert.equal((await get('/api/run/20000101000000000000')).status, 404);
    assert.equal((await get('/api/run/123')).status, 422);
  });

  test('progress with the stream live: counted from the job.ret events, returns fetched once done', async () => {
    hub.setStatus('connected', null);
    try {
      const a = RunAccepted.parse(await (await post('/api/run', { target: 'web*', fun: 'test.ping' })).json());
      sent.length = 0;
      const first = RunProgress.parse(await (await get(`/api/run/${a.jid}`)).json());
      assert.deepEqual([first.source, first.returned, first.pending, first.results_loaded], ['stream', 0, 2, false]);
      assert.equal(sent.length, 0, 'no Salt call while the stream delivers');
      const fragment = await (await get(`/api/run/${a.jid}`, tb.admin, HX)).text();
      assert.match(fragment, new RegExp(`hx-trigger="sse:job-changed-${a.jid}`));
      const ret = (mid: string, success: boolean) =>
        normalizeEvent({ tag: `salt/job/${a.jid}/ret/${mid}`, data: { id: mid, fun: 'test.ping', success, retcode: success ? 0 : 1, return: success, jid: a.jid } })!;
      await insertActivityEvents(ctx().handle.db, 'default', [ret('web01', false)]);
      const mid = RunProgress.parse(await (await get(`/api/run/${a.jid}`)).json());
      assert.deepEqual([mid.returned, mid.failed, mid.pending, mid.done], [1, 1, 1, false]);
      assert.equal(mid.minions[0]!.minion, 'web01', 'failing minions first');
      await insertActivityEvents(ctx().handle.db, 'default', [ret('web02', true)]);
      await settle();
      const done = RunProgress.parse(await (await get(`/api/run/${a.jid}`)).json());
      assert.deepEqual([done.returned, done.failed, done.done, done.results_loaded], [2, 1, true, true]);
      assert.equal(done.minions.find((m) => m.minion === 'web02')!.return, true);
    } finally {
      hub.setStatus('off', null);
    }
  });

  test('a minion that is down: once jobs.active no longer lists the job, the run is done and the minion has no return', async () => {
    tb.sim.fleet.setPresence('web02', false);
    try {
      const a = RunAccepted.parse(await (await post('/api/run', { target: 'web*', fun: 'test.ping' })).json());
      await settle();
      const waiting = RunProgress.parse(await (await get(`/api/run/${a.jid}`)).json());
      assert.deepEqual([waiting.returned, waiting.pending, waiting.done], [1, 1, false]);
      // A jobs.active reading taken well after the dispatch, without the jid: the job is over.
      activeJobs.set('default', new Map(), new Date(Date.now() + 60_000));
      const over = RunProgress.parse(await (await get(`/api/run/${a.jid}`)).json());
      assert.deepEqual([over.returned, over.pending, over.done], [1, 0, true]);
      assert.deepEqual(over.minions.find((m) => m.minion === 'web02'), { minion: 'web02', status: 'missing', outcome: null });
      assert.match(await (await get(`/api/run/${a.jid}`, tb.admin, HX)).text(), /no return/);
    } finally {
      activeJobs.clear();
      tb.sim.fleet.setPresence('web02', undefined);
    }
  });
});

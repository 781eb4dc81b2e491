// When an on-demand server is stopped for idleness: what holds it, and the timing of the decision.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { IdleStopper, idleHolder, idleVerdict, type IdleHolds } from '../../../main/core/idle-stopper.ts';
import { silentLogger } from '../../../main/log/logger.ts';
import type { ServerState } from '../../../main/supervisor/server-state.ts';
import type { Supervisor } from '../../../main/supervisor/supervisor.ts';

const FREE: IdleHolds = { inFlight: 0, subscriptions: 0, streams: 0, instances: 0 };

test('each holder keeps the server up and is named; nothing held is null', () => {
  assert.equal(idleHolder(FREE), null);
  assert.match(idleHolder({ ...FREE, inFlight: 2 })!, /2 request\(s\) in flight/);
  assert.match(idleHolder({ ...FREE, subscriptions: 1 })!, /1 resource subscription/);
  assert.match(idleHolder({ ...FREE, streams: 1 })!, /open stream/);
  assert.match(idleHolder({ ...FREE, instances: 3 })!, /3 instance\(s\)/);
  assert.match(idleHolder({ inFlight: 1, subscriptions: 1, streams: 0, instances: 0 })!, /in flight, 1 resource/);
});

test('the verdict: stop once idleStopAfter has passed since the last use, never while held', () => {
  const base = { lastActiveAt: 1_000, idleStopAfter: 500 };
  assert.deepEqual(idleVerdict({ ...base, holds: FREE, now: 1_200 }), { stop: false, recheckAt: 1_500, held: null });
  assert.deepEqual(idleVerdict({ ...base, holds: FREE, now: 1_500 }), { stop: true });
  assert.deepEqual(idleVerdict({ ...base, holds: FREE, now: 9_000 }), { stop: true });
  const held = idleVerdict({ ...base, holds: { ...FREE, subscriptions: 1 }, now: 9_000 });
  assert.equal(held.stop, false);
  assert.equal(!held.stop && held.recheckAt, 9_500);
  assert.match(!held.stop ? held.held! : '', /subscription/);
});

interface FakeServer {
  config: { start: 'always' | 'on-demand'; idleStopAfter: number };
  state: ServerState;
  idleStops: number;
  idleStop(): Promise<void>;
}

function fakeSupervisor(servers: Record<string, FakeServer>): Supervisor {
  const emitter = new EventEmitter();
  return Object.assign(emitter, { get: (name: string) => servers[name] }) as unknown as Supervisor;
}

function server(start: 'always' | 'on-demand', idleStopAfter = 30): FakeServer {
  const s: FakeServer = {
    config: { start, idleStopAfter },
    state: { state: 'running', since: 0, pid: 1 },
    idleStops: 0,
    async idleStop() {
      s.idleStops++;
      s.state = { state: 'idle', since: 0 };
    },
  };
  return s;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

test('an on-demand server is stopped once idle; an always server never is', async () => {
  const od = server('on-demand');
  const always = server('always');
  const supervisor = fakeSupervisor({ od, always });
  const stopper = new IdleStopper({ supervisor, holds: () => FREE, logger: silentLogger });
  supervisor.emit('state', 'od', od.state);
  supervisor.emit('state', 'always', always.state);
  await until(() => od.idleStops === 1, 'the idle stop');
  await sleep(60);
  assert.equal(always.idleStops, 0);
  assert.equal(od.idleStops, 1);
  stopper.dispose();
});

test('a held server is not stopped; once released, it stops idleStopAfter later; use resets the time', async () => {
  const od = server('on-demand', 40);
  const supervisor = fakeSupervisor({ od });
  let holds = { ...FREE, inFlight: 1 };
  const stopper = new IdleStopper({ supervisor, holds: () => holds, logger: silentLogger });
  supervisor.emit('state', 'od', od.state);
  await sleep(150);
  assert.equal(od.idleStops, 0, 'stopped while a request was in flight');
  holds = FREE;
  const released = Date.now();
  stopper.touch('od'); // the request settled
  await until(() => od.idleStops === 1, 'the stop after release');
  assert.ok(Date.now() - released >= 35, 'stopped before idleStopAfter had passed');
  stopper.dispose();
});

test('a server that leaves serving (stopped, crashed) has its timer dropped; dispose stops everything', async () => {
  const od = server('on-demand', 30);
  const supervisor = fakeSupervisor({ od });
  const stopper = new IdleStopper({ supervisor, holds: () => FREE, logger: silentLogger });
  supervisor.emit('state', 'od', od.state);
  od.state = { state: 'stopped' };
  supervisor.emit('state', 'od', od.state);
  await sleep(80);
  assert.equal(od.idleStops, 0);
  stopper.dispose();
  od.state = { state: 'running', since: 0, pid: 1 };
  supervisor.emit('state', 'od', od.state);
  await sleep(80);
  assert.equal(od.idleStops, 0, 'a disposed stopper does nothing');
});

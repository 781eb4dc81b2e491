// The V8 settings `serve` runs with. `serve` runs for days with little live data: three V8 settings keep its
// resident memory down at the same work, and a fourth wins back the CPU the third costs while code warms up:
// - a young generation of 2 x 4 MiB instead of V8's 2 x 32 MiB: about 45 MB less. Its scavenges come about three
//   times as often and last about half as long (0.17 ms against 0.31 ms on average with the audit log taking
//   20,000 records a second), so the event loop's p99 delay under that load stays lower. A larger one saves CPU:
//   at 2 x 6 MiB fewer objects of calls in flight are promoted, a call cost about 3% less and one call at a time
//   answered at 0.99-1.08x of the HTTP floor's p50 instead of 1.05-1.10x. But the audit log's event-loop p99 rose
//   to 1.06-1.10x of the same load without it (0.98-1.00x here; one run of five went past the 1.10x allowed), and
//   peak RSS with ten servers to 144-148 MB (137-140 here);
// - no pretenuring by allocation site. With a young generation this small, the objects of the calls in flight are
//   often alive at a scavenge; V8 then allocates everything from their allocation sites in the old generation, and
//   each later call's garbage waits there for a full collection (about 10 MB more at the peak with ten servers,
//   and no CPU saved);
// - no Maglev, V8's middle compiler. It compiles much of the gateway's warm code a second time on the way to
//   TurboFan, and its compile jobs' memory (outside the JS heap, returned to malloc but not to the system) made
//   about 20 MB of the peak with ten servers. Once warm, calls cost the same CPU without it, as the hot paths end
//   up in TurboFan either way;
// - and so TurboFan from 400 calls of a function (V8's point for Maglev) instead of 3,000. Without the middle tier,
//   a function waits in baseline code until TurboFan takes it, and at V8's count the code of one tool call would
//   wait for thousands of calls: days of an IDE's use, and the first few seconds of any load. Measured under the
//   benchmark's load (five rounds of 2,000 calls one at a time and 8,000 at 16), the first round cost 0.43 ms of CPU
//   per call one at a time against 0.67 ms, the later rounds the same, and peak RSS with ten servers stayed within
//   its noise (`npm run bench` measures memory and CPU).
// The benchmark runs its audit-trail measurements under the same settings (bench/audit-process.ts).
export const SERVE_V8_FLAGS = [
  { name: 'max-semi-space-size', flag: '--max-semi-space-size=4' },
  { name: 'allocation-site-pretenuring', flag: '--no-allocation-site-pretenuring' },
  { name: 'maglev', flag: '--no-maglev' },
  // Tied to Maglev being off: a user who sets Maglev themselves gets V8's own tiering.
  { name: 'invocation-count-for-turbofan', flag: '--invocation-count-for-turbofan=400', onlyWith: 'maglev' },
];

/**
 * The flags of SERVE_V8_FLAGS whose setting none of `given` (node's own arguments, NODE_OPTIONS) names, leaving out
 * a flag whose `onlyWith` setting the user names.
 */
export function missingServeFlags(given) {
  const named = (setting) => given.some((a) => a.includes(setting));
  return SERVE_V8_FLAGS.filter(
    ({ name, onlyWith }) => !named(name) && (onlyWith === undefined || !named(onlyWith)),
  ).map(({ flag }) => flag);
}

/**
 * `npx tsx bench/fleet-profile.ts <file.cpuprofile> [rows]`: what a CPU profile written by
 * `BENCH_PROFILE=<file> npm run bench:fleet` spent its time on, as text. Given a
 * `.heapprofile` (`BENCH_HEAP_PROFILE=<file>`), the same tables count the bytes allocated
 * instead (sampled, garbage included): where the garbage collector's work comes from.
 * For a CPU profile:
 *
 * - self time by function and by file (where the thread actually was);
 * - inclusive time by module (a sample counts once for every module on its stack: the share of
 *   the run spent under that module, its callees included);
 * - inclusive time by function of the project's own code (src/, projections/).
 *
 * A module is a package under node_modules, a folder of the project (two levels: src/
 * infrastructure/eventstore), or Node's internals; "(idle)", "(program)" and "(garbage
 * collector)" are V8's own.
 */
import { readFile } from 'node:fs/promises';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}
/** V8's sampling heap profile: a tree of call frames, and samples of allocated sizes */
interface HeapNode {
  id: number;
  callFrame: CallFrame;
  children: HeapNode[];
}
interface HeapProfile {
  head: HeapNode;
  samples: { size: number; nodeId: number }[];
}

/** A heap profile as a CPU profile whose "time" per sample is bytes: one reader for both. */
function fromHeapProfile(heap: HeapProfile): Profile {
  const nodes: ProfileNode[] = [];
  const visit = (node: HeapNode) => {
    nodes.push({
      id: node.id,
      callFrame: node.callFrame,
      children: node.children.map((c) => c.id),
    });
    node.children.forEach(visit);
  };
  visit(heap.head);
  return {
    nodes,
    samples: heap.samples.map((s) => s.nodeId),
    timeDeltas: heap.samples.map((s) => s.size),
  };
}

const [file, rowsArg] = process.argv.slice(2);
if (!file) throw new Error('usage: tsx bench/fleet-profile.ts <file.cpuprofile> [rows]');
const ROWS = Number(rowsArg ?? 30);
const read = JSON.parse(await readFile(file, 'utf8')) as Profile | HeapProfile;
const heap = 'head' in read;
const profile = heap ? fromHeapProfile(read) : read;
/** a sample's weight in thousandths of the printed unit: µs → ms (s), bytes → kB (MB) */
const weightOf = (i: number) => (profile.timeDeltas[i] ?? 0) / 1000;
const unit = heap ? 'MB' : 's';

const root = process.cwd();
const shortFile = (url: string): string => {
  if (!url) return '';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) return path.slice(nm + 1);
  return path.startsWith(root) ? path.slice(root.length + 1) : path;
};
const moduleOf = (frame: CallFrame): string => {
  const path = shortFile(frame.url);
  if (!path) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  if (path.startsWith('node:')) return 'node internals';
  const nm = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (nm) return nm[1]!;
  const parts = path.split('/');
  return parts.slice(0, parts[0] === 'src' ? 3 : 2).join('/');
};
const fnLabel = (frame: CallFrame) =>
  `${frame.functionName || '(anonymous)'} ${shortFile(frame.url)}:${frame.lineNumber + 1}`;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const node of profile.nodes)
  for (const child of node.children ?? []) parent.set(child, node.id);

const selfByFn = new Map<string, number>();
const selfByFile = new Map<string, number>();
const inclByModule = new Map<string, number>();
const inclByOwnFn = new Map<string, number>();
const add = (map: Map<string, number>, key: string, ms: number) =>
  map.set(key, (map.get(key) ?? 0) + ms);
let total = 0;
let busy = 0;

profile.samples.forEach((id, i) => {
  const weight = weightOf(i);
  const node = byId.get(id)!;
  total += weight;
  if (node.callFrame.functionName === '(idle)') return;
  busy += weight;
  add(selfByFn, fnLabel(node.callFrame), weight);
  add(selfByFile, shortFile(node.callFrame.url) || node.callFrame.functionName, weight);
  const modules = new Set<string>();
  const ownFns = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const frame = byId.get(at)!.callFrame;
    modules.add(moduleOf(frame));
    const path = shortFile(frame.url);
    if (path.startsWith('src/') || path.startsWith('projections/')) ownFns.add(fnLabel(frame));
  }
  for (const m of modules) add(inclByModule, m, weight);
  for (const f of ownFns) add(inclByOwnFn, f, weight);
});

const print = (title: string, map: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`);
  for (const [key, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, ROWS)) {
    const share = ((ms / busy) * 100).toFixed(1).padStart(5);
    process.stdout.write(`${(ms / 1000).toFixed(2).padStart(8)} ${unit} ${share} %  ${key}\n`);
  }
};
const what = heap ? 'bytes allocated' : 'time';
process.stdout.write(
  heap
    ? `${file}: ${(total / 1000).toFixed(1)} MB allocated (sampled, garbage included)\n`
    : `${file}: ${(total / 1000).toFixed(1)} s profiled, ${(busy / 1000).toFixed(1)} s not idle ` +
        '(shares below are of the time not idle)\n',
);
print(`self ${what} by function`, selfByFn);
print(`self ${what} by file`, selfByFile);
print(`inclusive ${what} by module (top-down)`, inclByModule);
print(`inclusive ${what} by function of the project`, inclByOwnFn);

/** BENCH_CALLERS=<function name>: where the self time of that function was called from. */
const callersOf = process.env.BENCH_CALLERS;
if (callersOf) {
  const stacks = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)!;
    if (node.callFrame.functionName !== callersOf) return;
    const chain: string[] = [];
    for (let at = parent.get(id); at !== undefined && chain.length < 4; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      if (frame.url && !frame.url.startsWith('node:')) chain.push(fnLabel(frame));
    }
    add(stacks, chain.join(' < '), weightOf(i));
  });
  print(`callers of ${callersOf}`, stacks);
}

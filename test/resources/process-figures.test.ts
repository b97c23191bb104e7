import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessProbe, type PidUsage } from '../../electron/host/resources/process-figures';

describe('ProcessProbe on macOS and Windows (platform and pidusage injected)', () => {
  it('macOS: children from pidusage, the host fds from /dev/fd, the child port from the provider', async () => {
    const asked: number[][] = [];
    const pidusage: PidUsage = async (pids) => {
      asked.push(pids);
      return { 4242: { cpu: 12.34, memory: 50 * 1024 * 1024, ppid: process.pid } };
    };
    const probe = new ProcessProbe({ platform: 'darwin', pidusage, descendants: () => [999_999] });
    const [host, child, ...rest] = await probe.tree([{ pid: 4242, name: 'Chroma server', port: 8123 }]);
    expect(rest).toEqual([]); // no /proc walk off Linux: only the children the host knows
    expect(asked).toEqual([[4242]]);
    expect(child).toMatchObject({
      pid: 4242,
      parentPid: process.pid,
      name: 'Chroma server',
      rssBytes: 50 * 1024 * 1024,
      cpuPercent: 12.3,
      openFds: null,
      listeningPorts: [8123],
      sources: { rssBytes: 'pidusage', cpuPercent: 'pidusage', openFds: 'unknown', listeningPorts: 'provider' },
    });
    expect(host!.sources).toMatchObject({ rssBytes: 'node', cpuPercent: 'node', openFds: 'dev-fd' });
    expect(host!.openFds).toBeGreaterThan(0);
  });

  it('Windows: the host has handles, not fds (unknown); a failed pidusage call leaves only that child unknown', async () => {
    const pidusage: PidUsage = async () => {
      throw new Error('No matching pid found');
    };
    const probe = new ProcessProbe({ platform: 'win32', pidusage });
    const [host, child] = await probe.tree([{ pid: 77, name: 'Chroma server' }]);
    expect(host).toMatchObject({ pid: process.pid, openFds: null, sources: { openFds: 'unknown', rssBytes: 'node' } });
    expect(host!.rssBytes).toBeGreaterThan(1024 * 1024);
    expect(child).toMatchObject({ pid: 77, rssBytes: null, cpuPercent: null, listeningPorts: null });
    expect(child!.sources).toEqual({ rssBytes: 'unknown', cpuPercent: 'unknown', openFds: 'unknown', listeningPorts: 'unknown' });
  });

  it('asks pidusage nothing when the host has no children', async () => {
    const probe = new ProcessProbe({
      platform: 'darwin',
      pidusage: async () => {
        throw new Error('must not be called');
      },
    });
    expect(await probe.tree([])).toHaveLength(1);
  });
});

describe('ProcessProbe on Linux (real /proc)', () => {
  let child: ChildProcess | null = null;
  afterEach(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    child = null;
  });

  it('finds a spawned child, its RSS, CPU share, fds and the port it listens on', async () => {
    const script =
      "const s=require('net').createServer().listen(0,'127.0.0.1',()=>console.log(s.address().port));" +
      'let x=0;setInterval(()=>{for(let i=0;i<1e6;i++)x+=i},5)';
    child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    const port = Number(line.toString().trim());
    const probe = new ProcessProbe({ platform: 'linux' });
    await probe.tree([{ pid: child.pid!, name: 'busy child' }]);
    await new Promise((r) => setTimeout(r, 300));
    const [host, found] = await probe.tree([{ pid: child.pid!, name: 'busy child' }]);
    expect(host!.sources.openFds).toBe('proc');
    expect(found).toMatchObject({ pid: child.pid, parentPid: process.pid, name: 'busy child', listeningPorts: [port] });
    expect(found!.rssBytes).toBeGreaterThan(5 * 1024 * 1024);
    expect(found!.openFds).toBeGreaterThan(2);
    expect(found!.cpuPercent).toBeGreaterThan(0);
    expect(found!.sources).toEqual({ rssBytes: 'proc', cpuPercent: 'proc', openFds: 'proc', listeningPorts: 'proc' });
  });

  it("counts the host's own sockets from Node's accounting", async () => {
    const probe = new ProcessProbe({ platform: 'linux' });
    const before = probe.hostSockets();
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    expect(probe.hostSockets()).toBe(before + 1);
    await new Promise((r) => server.close(r));
  });

  it('the host CPU share is measured between two samples', () => {
    const probe = new ProcessProbe({ platform: 'linux' });
    probe.host();
    const end = performance.now() + 100;
    while (performance.now() < end) Math.sqrt(Math.random());
    expect(probe.host().cpuPercent).toBeGreaterThan(30);
  });
});

describe('withTreeFigures', () => {
  it("fills a child card's memory and CPU from the tree where the provider could not read them (macOS, Windows)", async () => {
    const { withTreeFigures } = await import('../../electron/host/resources/host-health');
    const card = {
      id: 'chroma-server',
      kind: 'chroma',
      phase: 'resources' as const,
      status: 'healthy' as const,
      checkedAt: '',
      resources: { pid: 4242, rssBytes: null },
    };
    const tree = [
      {
        pid: 4242,
        parentPid: 1,
        name: 'Chroma server',
        rssBytes: 9000,
        cpuPercent: 3.5,
        openFds: null,
        listeningPorts: [8000],
        sources: { rssBytes: 'pidusage' as const, cpuPercent: 'pidusage' as const },
      },
    ];
    const [filled] = withTreeFigures([card], tree);
    expect(filled!.resources).toMatchObject({ rssBytes: 9000, cpuPercent: 3.5 });
    expect(filled!.sources).toMatchObject({ rssBytes: 'pidusage', cpuPercent: 'pidusage' });
  });
});

import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { AppInfo } from '../../shared/contract';
import { StudioError } from '../../shared/errors';
import type { ProviderInfo } from '../../shared/health';
import type { NpcSummary } from '../../shared/npc';
import type { LastShutdownReport } from '../../shared/shutdown';
import { bridge } from './bridge';
import { BackendBanners, ConnectionBanner, DataProblemsBanner, ShutdownReportBanner } from './components/Banners';
import { ErrorBoundary } from './components/ErrorBoundary';
import { ErrorNote } from './components/Field';
import { QuitOverlay, type QuitState } from './components/QuitOverlay';
import { useHealth } from './health-store';
import { useAction, useConnection, useStudioEvent } from './hooks';
import { ChatPanel } from './panels/ChatPanel';
import { KnowledgePanel } from './panels/KnowledgePanel';
import { LogsPanel } from './panels/LogsPanel';
import { LorebooksPanel } from './panels/LorebooksPanel';
import { NpcPanel } from './panels/NpcPanel';
import { ResourcesPanel } from './panels/ResourcesPanel';
import { SettingsPanel } from './panels/SettingsPanel';
import { TestsPanel } from './panels/TestsPanel';

const TABS = [
  ['npcs', 'NPCs'],
  ['chat', 'Chat'],
  ['lorebooks', 'Lorebooks'],
  ['knowledge', 'Knowledge'],
  ['tests', 'Tests'],
  ['resources', 'Resources'],
  ['logs', 'Logs'],
  ['settings', 'Settings'],
] as const;
type Tab = (typeof TABS)[number][0];

function worstStatus(statuses: string[]): string {
  for (const s of ['unhealthy', 'degraded', 'stopped', 'healthy']) if (statuses.includes(s)) return s;
  return 'unknown';
}

function Pane(props: { id: Tab; tab: Tab; children: ReactNode }) {
  return (
    <div className="pane" hidden={props.id !== props.tab}>
      <ErrorBoundary name={props.id}>{props.children}</ErrorBoundary>
    </div>
  );
}

export function App() {
  const [tab, setTab] = useState<Tab>('npcs');
  const [npcs, setNpcs] = useState<NpcSummary[]>([]);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [lastReport, setLastReport] = useState<LastShutdownReport>(null);
  const [providers, setProviders] = useState<ProviderInfo[]>([]);
  const [quit, setQuit] = useState<QuitState | null>(null);
  const [usageVersion, setUsageVersion] = useState(0);
  const connection = useConnection();
  const health = useHealth();
  const { error, clearError, run } = useAction();

  const reloadNpcs = useCallback(async () => {
    const list = await run(() => bridge().invoke('npc.list', {}));
    if (list) setNpcs(list);
  }, [run]);

  useEffect(() => {
    void reloadNpcs();
    void run(() => bridge().invoke('app.info', {})).then((i) => i && setInfo(i));
    void run(() => bridge().invoke('app.lastShutdownReport', {})).then((r) => r !== undefined && setLastReport(r));
    void run(() => bridge().invoke('providers.list', {})).then((p) => p && setProviders(p));
  }, [reloadNpcs, run]);

  useStudioEvent('shutdown.progress', (event) => {
    setQuit((q) => {
      const state = q ?? { startedAt: Date.now(), events: [], exited: false };
      return { ...state, events: [...state.events, { at: Date.now(), event }], exited: state.exited || event.done === true };
    });
  });

  useEffect(() => {
    if (connection.status === 'closed') setQuit((q) => (q ? { ...q, exited: true } : q));
  }, [connection.status]);

  async function startQuit() {
    setQuit((q) => q ?? { startedAt: Date.now(), events: [], exited: false });
    try {
      await bridge().invoke('app.quit', {});
    } catch (err) {
      if (err instanceof StudioError && err.code === 'ShuttingDown') return;
      setQuit((q) => (q && q.events.length === 0 ? null : q));
      await run(() => Promise.reject(err));
    }
  }

  const selected = npcs.find((n) => n.id === selectedId) ?? null;
  const known = new Set(providers.map((p) => p.id));
  const overlayProviders = [...providers, ...(health.snapshot ?? []).filter((p) => !known.has(p.id))];
  const resourcesStatus = worstStatus((health.snapshot ?? []).map((p) => p.status));

  return (
    <div className="app" data-testid="app" data-connection={connection.status}>
      <header className="app-header">
        <h1>NPC Studio</h1>
        {info && (
          <small data-testid="app-info">
            v{info.version} · {info.mode}
            {info.demo && <span className="badge">demo</span>}
          </small>
        )}
        <nav>
          {TABS.map(([id, label]) => (
            <button key={id} className={tab === id ? 'tab active' : 'tab'} data-testid={`tab-${id}`} onClick={() => setTab(id)}>
              {label}
              {id === 'resources' && <span className={`light small ${resourcesStatus}`} data-testid="tab-resources-status" data-status={resourcesStatus} />}
            </button>
          ))}
        </nav>
        <button className="danger quit" data-testid="quit-button" onClick={() => void startQuit()} disabled={quit !== null}>
          Quit
        </button>
      </header>
      <ConnectionBanner connection={connection} quitting={quit !== null} />
      <ShutdownReportBanner last={lastReport} />
      <DataProblemsBanner problems={info?.problems ?? []} />
      <BackendBanners npcs={npcs} demo={info?.demo ?? false} onOpen={setTab} />
      <ErrorNote error={error} testId="app-error" onDismiss={clearError} />
      <main>
        {/* Every panel stays mounted (hidden when not shown): a reply streaming in Chat, an ingest or a
            minute of latency history are not lost by looking at another tab. */}
        <Pane id="npcs" tab={tab}>
          <NpcPanel
            npcs={npcs}
            selectedId={selectedId}
            onSelect={setSelectedId}
            onChanged={reloadNpcs}
            onDeleted={(id) => setSelectedId((current) => (current === id ? null : current))}
            onChat={(id) => {
              setSelectedId(id);
              setTab('chat');
            }}
          />
        </Pane>
        <Pane id="chat" tab={tab}>
          <ChatPanel npc={selected} npcs={npcs} onSelect={setSelectedId} onReplyDone={() => setUsageVersion((v) => v + 1)} />
        </Pane>
        <Pane id="lorebooks" tab={tab}>
          <LorebooksPanel npcs={npcs} onNpcsChanged={reloadNpcs} />
        </Pane>
        <Pane id="knowledge" tab={tab}>
          <KnowledgePanel npc={selected} />
        </Pane>
        <Pane id="tests" tab={tab}>
          <TestsPanel npcs={npcs} npc={selected} onSelect={setSelectedId} active={tab === 'tests'} />
        </Pane>
        <Pane id="resources" tab={tab}>
          <ResourcesPanel usageVersion={usageVersion} />
        </Pane>
        <Pane id="logs" tab={tab}>
          <LogsPanel />
        </Pane>
        <Pane id="settings" tab={tab}>
          <SettingsPanel />
        </Pane>
      </main>
      {quit && <QuitOverlay state={quit} providers={overlayProviders} />}
    </div>
  );
}

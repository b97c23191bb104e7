import { Button, Group, Text, Title, UnstyledButton } from '@mantine/core';
import {
  IconActivityHeartbeat,
  IconBooks,
  IconChecklist,
  IconDatabase,
  IconFileText,
  IconMessages,
  IconSettings,
  IconUsers,
} from '@tabler/icons-react';
import { Suspense, useCallback, useEffect, useState, type ReactNode } from 'react';
import type { AppInfo } from '../../shared/contract';
import { StudioError } from '../../shared/errors';
import type { ProviderInfo } from '../../shared/health';
import type { NpcSummary } from '../../shared/npc';
import type { LastShutdownReport } from '../../shared/shutdown';
import { bridge } from './bridge';
import { BackendBanners, ConnectionBanner, DataProblemsBanner, ShutdownReportBanner } from './components/Banners';
import { ErrorBoundary } from './components/ErrorBoundary';
import { ErrorNote } from './components/Field';
import { lazyPanel, PanelSkeleton } from './components/LazyPanel';
import { QuitOverlay, type QuitState } from './components/QuitOverlay';
import { ThemeSwitch } from './components/ThemeSwitch';
import { useHealth } from './health-store';
import { useAction, useConnection, useStudioEvent } from './hooks';
import { Workspace } from './workspace/Workspace';

// Chat is the first screen and ships with the page; every other panel is its own chunk (with its libraries:
// uPlot in Resources, the lorebook editors, the NPC editor), fetched when its tab is first pointed at or opened.
const NpcPanel = lazyPanel('NPCs', () => import('./panels/NpcPanel').then((m) => m.NpcPanel));
const LorebooksPanel = lazyPanel('Lorebooks', () => import('./panels/LorebooksPanel').then((m) => m.LorebooksPanel));
const KnowledgePanel = lazyPanel('Knowledge', () => import('./panels/KnowledgePanel').then((m) => m.KnowledgePanel));
const TestsPanel = lazyPanel('Tests', () => import('./panels/TestsPanel').then((m) => m.TestsPanel));
const ResourcesPanel = lazyPanel('Resources', () => import('./panels/ResourcesPanel').then((m) => m.ResourcesPanel));
const LogsPanel = lazyPanel('Logs', () => import('./panels/LogsPanel').then((m) => m.LogsPanel));
const SettingsPanel = lazyPanel('Settings', () => import('./panels/SettingsPanel').then((m) => m.SettingsPanel));

/** The navigation rail: the chat workspace first, then the other panels. Icons are decorative (aria-hidden). */
const TABS = [
  ['chat', 'Chat', IconMessages],
  ['npcs', 'NPCs', IconUsers],
  ['lorebooks', 'Lorebooks', IconBooks],
  ['knowledge', 'Knowledge', IconDatabase],
  ['tests', 'Tests', IconChecklist],
  ['resources', 'Resources', IconActivityHeartbeat],
  ['logs', 'Logs', IconFileText],
  ['settings', 'Settings', IconSettings],
] as const;
type Tab = (typeof TABS)[number][0];

const PRELOAD: Partial<Record<Tab, () => void>> = {
  npcs: NpcPanel.preload,
  lorebooks: LorebooksPanel.preload,
  knowledge: KnowledgePanel.preload,
  tests: TestsPanel.preload,
  resources: ResourcesPanel.preload,
  logs: LogsPanel.preload,
  settings: SettingsPanel.preload,
};

function worstStatus(statuses: string[]): string {
  for (const s of ['unhealthy', 'degraded', 'stopped', 'healthy']) if (statuses.includes(s)) return s;
  return 'unknown';
}

/** A panel is mounted the first time it is shown, then stays mounted (hidden) like the others. */
function Pane(props: { id: Tab; tab: Tab; children: ReactNode }) {
  const shown = props.id === props.tab;
  const [opened, setOpened] = useState(shown);
  if (shown && !opened) setOpened(true);
  const label = TABS.find(([id]) => id === props.id)?.[1] ?? props.id;
  return (
    <div className="pane" hidden={!shown}>
      {opened && (
        <ErrorBoundary name={props.id}>
          <Suspense fallback={<PanelSkeleton panel={label} />}>{props.children}</Suspense>
        </ErrorBoundary>
      )}
    </div>
  );
}

export function App() {
  const [tab, setTab] = useState<Tab>('chat');
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

  const tabLabel = TABS.find(([id]) => id === tab)?.[1] ?? '';

  return (
    <div className="app shell" data-testid="app" data-connection={connection.status}>
      <nav className="shell-rail" aria-label="Studio sections">
        <div className="brand" aria-hidden="true">
          NPC
          <br />
          Studio
        </div>
        {TABS.map(([id, label, Icon]) => (
          <UnstyledButton
            key={id}
            className="rail-item"
            data-testid={`tab-${id}`}
            aria-current={tab === id ? 'page' : undefined}
            onClick={() => setTab(id)}
            onPointerEnter={PRELOAD[id]}
            onFocus={PRELOAD[id]}
          >
            <Icon className="rail-icon" size={22} stroke={1.6} aria-hidden="true" />
            {label}
            {id === 'resources' && (
              <span
                className={`light small ${resourcesStatus}`}
                data-testid="tab-resources-status"
                data-status={resourcesStatus}
                role="img"
                aria-label={`backends ${resourcesStatus}`}
              />
            )}
          </UnstyledButton>
        ))}
        <span className="rail-spacer" />
      </nav>
      <div className="shell-page">
        <header className="shell-topbar">
          <Title order={1} size="h4">
            {tabLabel}
          </Title>
          {info && (
            <Text size="xs" c="dimmed" data-testid="app-info">
              NPC Studio v{info.version} · {info.mode}
              {info.demo && <span className="badge">demo</span>}
            </Text>
          )}
          <span className="spacer" />
          <Group gap="xs">
            <ThemeSwitch />
            <Button
              color="red"
              variant="light"
              size="xs"
              data-testid="quit-button"
              onClick={() => void startQuit()}
              disabled={quit !== null}
            >
              Quit
            </Button>
          </Group>
        </header>
        <ConnectionBanner connection={connection} quitting={quit !== null} />
        <ShutdownReportBanner last={lastReport} />
        <DataProblemsBanner problems={info?.problems ?? []} />
        <BackendBanners npcs={npcs} demo={info?.demo ?? false} onOpen={setTab} />
        <ErrorNote error={error} testId="app-error" onDismiss={clearError} />
        <main className="shell-main">
          {/* Every panel, once shown, stays mounted (hidden when not shown): a reply streaming in Chat, an ingest
            or a minute of latency history are not lost by looking at another tab. */}
          <Pane id="npcs" tab={tab}>
            <NpcPanel.Panel
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
            <Workspace
              npc={selected}
              npcs={npcs}
              active={tab === 'chat'}
              onSelect={setSelectedId}
              onReplyDone={() => setUsageVersion((v) => v + 1)}
              onManageNpcs={() => setTab('npcs')}
            />
          </Pane>
          <Pane id="lorebooks" tab={tab}>
            <LorebooksPanel.Panel npcs={npcs} onNpcsChanged={reloadNpcs} />
          </Pane>
          <Pane id="knowledge" tab={tab}>
            <KnowledgePanel.Panel npc={selected} />
          </Pane>
          <Pane id="tests" tab={tab}>
            <TestsPanel.Panel npcs={npcs} npc={selected} onSelect={setSelectedId} active={tab === 'tests'} />
          </Pane>
          <Pane id="resources" tab={tab}>
            <ResourcesPanel.Panel usageVersion={usageVersion} />
          </Pane>
          <Pane id="logs" tab={tab}>
            <LogsPanel.Panel />
          </Pane>
          <Pane id="settings" tab={tab}>
            <SettingsPanel.Panel />
          </Pane>
        </main>
      </div>
      {quit && <QuitOverlay state={quit} providers={overlayProviders} />}
    </div>
  );
}

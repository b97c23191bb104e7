import { use, type ComponentType, type JSX } from 'react';
import { panelLoader } from '../lazy-panel';

export interface LazyPanel<P> {
  Panel: (props: P) => JSX.Element;
  /** Fetches the panel's code ahead of its first showing (pointer over or focus on its tab); errors wait for the render. */
  preload: () => void;
}

/**
 * A panel whose code is a separate chunk, fetched the first time it renders (inside a Suspense boundary).
 * Unlike React.lazy, a failed fetch can be tried again: the error boundary's "Try again" calls PanelLoadError.retry().
 */
export function lazyPanel<P extends object>(panel: string, importer: () => Promise<ComponentType<P>>): LazyPanel<P> {
  const loader = panelLoader(panel, importer);
  function Panel(props: P) {
    const Loaded = loader.loaded() ?? use(loader.load());
    return <Loaded {...props} />;
  }
  Panel.displayName = `Lazy(${panel})`;
  return { Panel, preload: () => void loader.load().catch(() => undefined) };
}

/** Stands in while a panel's code arrives: the panel's frame at once, its placeholder lines only if the wait lasts. */
export function PanelSkeleton(props: { panel: string }) {
  return (
    <section className="panel panel-loading" data-testid="panel-loading" aria-busy="true" aria-label={`Loading ${props.panel}`}>
      <div className="skeleton-line title" />
      <div className="skeleton-line" />
      <div className="skeleton-line short" />
      <div className="skeleton-block" />
    </section>
  );
}

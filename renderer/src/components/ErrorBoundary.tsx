import { Component, type ReactNode } from 'react';
import { PanelLoadError } from '../lazy-panel';

/** A panel that throws shows what went wrong instead of blanking the whole window. */
export class ErrorBoundary extends Component<{ name: string; children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="note error" role="alert" data-testid="panel-crashed">
        {this.state.error instanceof PanelLoadError
          ? this.state.error.message
          : `The ${this.props.name} panel hit a bug: ${this.state.error.message}`}
        <button
          onClick={() => {
            if (this.state.error instanceof PanelLoadError) this.state.error.retry();
            this.setState({ error: null });
          }}
        >
          Try again
        </button>
      </div>
    );
  }
}

// A page that throws while rendering shows what broke instead of leaving the window blank; the other pages
// keep working, and opening the page again retries it.
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  readonly children: ReactNode;
  /** A new key (the route) starts over. */
  readonly resetKey: string;
}

interface State {
  readonly error: Error | null;
  readonly key: string;
}

export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null, key: this.props.resetKey };

  static getDerivedStateFromError(error: Error): Partial<State> {
    return { error };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    return props.resetKey === state.key ? null : { error: null, key: props.resetKey };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('dashboard page failed', error, info.componentStack);
  }

  override render(): ReactNode {
    if (this.state.error === null) return this.props.children;
    return (
      <div className="page" role="alert">
        <h2>This page failed</h2>
        <p>
          The dashboard could not show it: <code>{this.state.error.message}</code>. Other pages still work; open this
          one again to retry. If it keeps failing, please report it with this message.
        </p>
      </div>
    );
  }
}

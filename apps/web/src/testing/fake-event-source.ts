// Just enough of EventSource to drive the stream API the way a browser would.
export class FakeEventSource {
  readyState = 0;
  readonly close = jest.fn();
  private readonly listeners = new Map<string, ((event: MessageEvent<string>) => void)[]>();

  constructor(readonly url: string) {}

  addEventListener(type: string, listener: (event: MessageEvent<string>) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  emit(type: string, data = '', readyState = this.readyState): void {
    this.readyState = readyState;
    for (const listener of this.listeners.get(type) ?? []) {
      listener({ data } as MessageEvent<string>);
    }
  }
}

// Provider for EVENT_SOURCE_FACTORY that records every source the code under test opens.
export function fakeEventSources(sources: FakeEventSource[]): (url: string) => EventSource {
  return (url: string) => {
    const source = new FakeEventSource(url);
    sources.push(source);
    return source as unknown as EventSource;
  };
}

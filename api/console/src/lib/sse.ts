// Server-sent events read from a fetch() body: EventSource cannot send the bearer token the console holds in memory.

export interface ServerEvent {
  event: string;
  data: string;
  id?: string;
}

/** Feeds text chunks in, gets whole events out; a chunk may end anywhere (mid-line, mid-event). */
export class SseParser {
  private buffer = '';

  push(chunk: string): ServerEvent[] {
    this.buffer += chunk.replace(/\r\n?/g, '\n');
    const events: ServerEvent[] = [];
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const event: ServerEvent = { event: 'message', data: '' };
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':') || line === '') continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') data.push(value);
        else if (field === 'event') event.event = value;
        else if (field === 'id') event.id = value;
      }
      if (data.length > 0) {
        event.data = data.join('\n');
        events.push(event);
      }
    }
    return events;
  }
}

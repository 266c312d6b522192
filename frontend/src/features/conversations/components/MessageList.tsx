import type { Message } from '../../../lib/types';
import { dateTime, messageTime } from '../../../lib/time';

const SENDER_LABEL: Record<string, string> = {
  visitor: 'Visitor',
  assistant: 'AI assistant',
  agent: 'Agent',
  system: 'System',
};

/**
 * A conversation, oldest first. Every body is rendered as a React text node: markup a visitor
 * typed (e.g. `<img src=x onerror=…>`) is shown as text and never parsed as HTML.
 */
export function MessageList({ messages, visitorLabel }: { messages: Message[]; visitorLabel?: string }) {
  if (messages.length === 0) return <p className="muted">No messages yet.</p>;
  return (
    <ol className="messages" aria-label="Conversation">
      {messages.map((m) => {
        const who =
          m.sender === 'visitor' ? (visitorLabel ?? 'Visitor') : m.sender === 'agent' ? (m.author_name ?? 'Agent') : (SENDER_LABEL[m.sender] ?? m.sender);
        return (
          <li key={m.id} className={`msg msg-${m.sender}`} data-sender={m.sender}>
            <div className="msg-meta">
              <span className="msg-who">
                {m.sender === 'assistant' ? <span className="msg-tag">AI</span> : null}
                {m.sender === 'agent' ? <span className="msg-tag msg-tag-agent">Agent</span> : null}
                {m.sender === 'visitor' && m.email?.foreign_sender ? m.email.from : who}
                <span className={`msg-channel msg-channel-${m.channel ?? 'chat'}`} data-testid="msg-channel" title={m.channel === 'email' && m.email?.subject ? `Email: ${m.email.subject}` : undefined}>
                  {m.channel === 'email' ? 'Email' : 'Chat'}
                </span>
              </span>
              <time className="msg-time" dateTime={m.created_at} title={dateTime(m.created_at)}>
                {messageTime(m.created_at)}
              </time>
            </div>
            {m.email?.foreign_sender ? (
              <div className="msg-foreign small" data-testid="msg-foreign">
                Sent by {m.email.from}, not the visitor ({visitorLabel ?? 'their email'}): check before acting on it.
              </div>
            ) : null}
            <div className="msg-body">{m.body}</div>
            {m.sources && m.sources.length > 0 ? (
              <div className="msg-sources muted small" data-testid="msg-sources">
                Source: {m.sources.map((s) => s.title).join(', ')}
              </div>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}

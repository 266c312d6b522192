import type { Message, Note } from '../../../lib/types';
import { dateTime, messageTime } from '../../../lib/time';
import { conversationItems, mentionParts } from '../../notes/api/notes';
import { AttachmentList } from '../../attachments/components/AttachmentList';

const SENDER_LABEL: Record<string, string> = {
  visitor: 'Visitor',
  assistant: 'AI assistant',
  agent: 'Agent',
  system: 'System',
};

/**
 * A conversation, oldest first, with the team's internal notes inline (in their own style,
 * marked as seen by the team only). Every body is rendered as a React text node: markup a
 * visitor typed (e.g. `<img src=x onerror=…>`) is shown as text and never parsed as HTML.
 */
export function MessageList({ messages, notes = [], visitorLabel }: { messages: Message[]; notes?: Note[]; visitorLabel?: string }) {
  if (messages.length === 0 && notes.length === 0) return <p className="muted">No messages yet.</p>;
  return (
    <ol className="messages" aria-label="Conversation">
      {conversationItems(messages, notes).map((item) => {
        if (item.kind === 'note') return <NoteItem key={item.note.id} note={item.note} />;
        const m = item.message;
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
            {m.body ? <div className="msg-body">{m.body}</div> : null}
            <AttachmentList files={m.attachments} />
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

function NoteItem({ note }: { note: Note }) {
  const parts = mentionParts(
    note.body,
    note.mentions.map((m) => m.name),
  );
  return (
    <li className="msg msg-note" data-sender="note" aria-label={`Internal note by ${note.author_name}`}>
      <div className="msg-meta">
        <span className="msg-who">
          <span className="msg-tag msg-tag-note">Internal note</span>
          {note.author_name}
        </span>
        <time className="msg-time" dateTime={note.created_at} title={dateTime(note.created_at)}>
          {messageTime(note.created_at)}
        </time>
      </div>
      <div className="msg-body">
        {parts.map((p, i) =>
          p.mention ? (
            <mark key={i} className="mention">
              {p.text}
            </mark>
          ) : (
            <span key={i}>{p.text}</span>
          ),
        )}
      </div>
      <div className="msg-note-foot muted small">Only your team sees this</div>
    </li>
  );
}

import { useId, useState, type FormEvent } from 'react';
import { Button, ErrorBox } from '../../../components/ui';
import { useReply } from '../api/tickets';

export function ReplyBox({ ws, ticket, visitorEmail, onSent }: { ws: string; ticket: string; visitorEmail: string; onSent?: () => void }) {
  const reply = useReply(ws, ticket);
  const [body, setBody] = useState('');
  const [emailToo, setEmailToo] = useState(false);
  const id = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!body.trim()) return;
    reply.mutate(
      { body: body.trim(), email_visitor: emailToo },
      {
        onSuccess: () => {
          setBody('');
          onSent?.();
        },
      },
    );
  };
  return (
    <section className="card reply o-reply" aria-labelledby={`${id}-title`}>
      <h2 className="card-title" id={`${id}-title`}>
        Reply to Visitor
      </h2>
      <form onSubmit={submit} className="stack">
        <label htmlFor={`${id}-body`} className="sr-only">
          Your reply
        </label>
        <textarea
          id={`${id}-body`}
          className="input textarea"
          rows={4}
          placeholder="Type your reply…"
          value={body}
          onChange={(e) => setBody(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) submit(e);
          }}
          aria-describedby={`${id}-note`}
        />
        <div className="reply-foot">
          <label className="check">
            <input type="checkbox" checked={emailToo} onChange={(e) => setEmailToo(e.target.checked)} />
            <span>also email this reply</span>
          </label>
          <Button type="submit" variant="primary" busy={reply.isPending} disabled={!body.trim()}>
            Send
          </Button>
        </div>
        <p className="field-hint" id={`${id}-note`}>
          The visitor will see your message when they return to your website and open the chat widget. Since they may not return, you can also email it to{' '}
          <span className="break">{visitorEmail}</span>.
        </p>
        {reply.error ? <ErrorBox error={reply.error} /> : null}
        {reply.isSuccess && !body ? (
          <p className="field-ok" role="status">
            Reply sent{reply.variables?.email_visitor ? ' and emailed to the visitor' : ''}.
          </p>
        ) : null}
      </form>
    </section>
  );
}

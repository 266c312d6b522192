import { useQuery } from '@tanstack/react-query';
import { useId, useRef, useState, type FormEvent, type Ref } from 'react';
import { AttachmentPicker } from '../../attachments/components/AttachmentPicker';
import { pastedFiles, useUploads } from '../../attachments/api/attachments';
import { Button, ErrorBox } from '../../../components/ui';
import { ReplyComposer } from '../../saved-replies/components/ReplyComposer';
import { ticketSettingsQuery } from '../../setup/api/setup';
import { useReply } from '../api/tickets';

/** The seed's promise about the chat, said whatever else the reply does. */
const SEEN_ON_RETURN = 'The visitor will see your message when they return to your website and open the chat widget';

/** Where a reply goes, in one sentence: the chat, and the visitor's inbox when emailed. */
export function replyDestination(visitorEmail: string, emailToo: boolean, repliesByEmail: boolean): string {
  if (!emailToo) return `In the chat only. ${SEEN_ON_RETURN}.`;
  if (repliesByEmail) return `Reply by email to ${visitorEmail} and in the chat. ${SEEN_ON_RETURN}; if they answer the email, their reply comes back into this ticket.`;
  return `In the chat, and a copy by email to ${visitorEmail}. ${SEEN_ON_RETURN}; answers to that email don’t come back here (replies by email need the Pro plan), so the email asks them to answer in the chat.`;
}

export function ReplyBox({
  ws,
  ticket,
  ticketNumber,
  visitorEmail,
  erased = false,
  onSent,
  textareaRef,
}: {
  ws: string;
  ticket: string;
  /** As the dashboard shows it (TKT-10001): fills `{{ticket.number}}` of saved replies. */
  ticketNumber?: string;
  visitorEmail: string;
  /** The visitor was erased: there is no address to email. */
  erased?: boolean;
  onSent?: () => void;
  /** The reply's text field (the ticket page's `r` focuses it; its typing signal listens to it). */
  textareaRef?: Ref<HTMLTextAreaElement>;
}) {
  const reply = useReply(ws, ticket);
  const [body, setBody] = useState('');
  const [emailToo, setEmailToo] = useState(false);
  const settings = useQuery(ticketSettingsQuery(ws));
  const repliesByEmail = settings.data?.email_replies_active ?? false;
  const id = useId();
  const uploads = useUploads(ws);
  const fileInput = useRef<HTMLInputElement>(null);
  const ready = (body.trim() !== '' || uploads.files.length > 0) && !uploads.busy;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!ready) return;
    reply.mutate(
      { body: body.trim(), email_visitor: emailToo, ...(uploads.files.length ? { attachment_ids: uploads.files.map((f) => f.id) } : {}) },
      {
        onSuccess: () => {
          setBody('');
          uploads.clear();
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
        <ReplyComposer
          ws={ws}
          visitorEmail={visitorEmail}
          ticketNumber={ticketNumber}
          textareaRef={textareaRef}
          id={`${id}-body`}
          rows={4}
          placeholder="Type your reply… (/ for saved replies)"
          value={body}
          onValueChange={setBody}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) submit(e);
          }}
          onPaste={(e) => {
            const files = pastedFiles(e);
            if (files.length) {
              e.preventDefault();
              void uploads.add(files);
            }
          }}
          aria-describedby={`${id}-note`}
        />
        <AttachmentPicker uploads={uploads} inputRef={fileInput} />
        <div className="reply-foot">
          {erased ? (
            <span />
          ) : (
            <label className="check">
              <input type="checkbox" checked={emailToo} onChange={(e) => setEmailToo(e.target.checked)} />
              <span>also email this reply</span>
            </label>
          )}
          <Button type="submit" variant="primary" busy={reply.isPending || uploads.busy} disabled={!ready}>
            Send
          </Button>
        </div>
        <p className="field-hint" id={`${id}-note`} data-testid="reply-destination">
          {erased ? (
            'In the chat only: the visitor was erased, so there is no address to email.'
          ) : (
            <>
              {replyDestination(visitorEmail, emailToo, repliesByEmail)}
              {emailToo ? null : (
            <>
              {' '}
              Since they may not return, you can also email it to <span className="break">{visitorEmail}</span>.
            </>
          )}
            </>
          )}
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

import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { Button, Card, ErrorBox, SelectField, TextArea, TextField } from '../../../components/ui';
import { fieldError } from '../../../lib/errors';
import type { components } from '../../../lib/api-types';
import { useCreateTicket } from '../api/tickets';

type Category = components['schemas']['TicketCategory'];

/** A ticket created by hand (a phone call, an email): source "dashboard". */
export function NewTicketForm({ ws, onCancel }: { ws: string; onCancel: () => void }) {
  const create = useCreateTicket(ws);
  const nav = useNavigate();
  const [email, setEmail] = useState('');
  const [summary, setSummary] = useState('');
  const [description, setDescription] = useState('');
  const [category, setCategory] = useState<Category>('other');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(
      { visitor_email: email.trim(), summary: summary.trim(), description: description.trim() || null, category },
      { onSuccess: (t) => nav(`/w/${ws}/tickets/${t.number}`) },
    );
  };
  const err = create.error;
  const known = ['visitor_email', 'summary', 'description'].some((f) => fieldError(err, f));
  return (
    <Card title="New ticket" id="new-ticket">
      <form className="stack" onSubmit={submit}>
        <div className="grid-2">
          <TextField label="Customer email" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} error={fieldError(err, 'visitor_email')} autoFocus />
          <SelectField label="Category" value={category} onChange={(e) => setCategory(e.target.value as Category)}>
            <option value="cannot_perform_action">Cannot perform action</option>
            <option value="needs_human_judgment">Needs human judgment</option>
            <option value="other">Other</option>
          </SelectField>
        </div>
        <TextField label="Summary" required maxLength={300} value={summary} onChange={(e) => setSummary(e.target.value)} error={fieldError(err, 'summary')} />
        <TextArea label="Description" rows={4} value={description} onChange={(e) => setDescription(e.target.value)} error={fieldError(err, 'description')} />
        {err && !known ? <ErrorBox error={err} /> : null}
        <div className="row-end">
          <Button onClick={onCancel}>Cancel</Button>
          <Button type="submit" variant="primary" busy={create.isPending}>
            Create ticket
          </Button>
        </div>
      </form>
    </Card>
  );
}

import { useInfiniteQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Button, Card, Empty, ErrorBox, LoadMore, PageHeader, RelativeTime, Spinner, TextArea, TextField } from '../../../components/ui';
import { fieldError } from '../../../lib/errors';
import type { Article } from '../../../lib/types';
import { useWs } from '../../workspaces/api/workspaces';
import { articleListQuery, useDeleteArticle, useSaveArticle } from '../api/articles';

export function KnowledgePage() {
  const ws = useWs();
  const list = useInfiniteQuery(articleListQuery(ws));
  const [editing, setEditing] = useState<Article | 'new' | null>(null);
  const del = useDeleteArticle(ws);
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className="page">
      <PageHeader
        title="Knowledge base"
        subtitle="Articles the AI answers from. Write them the way you would explain things to a new colleague."
        actions={
          editing === null ? (
            <Button variant="primary" onClick={() => setEditing('new')}>
              New article
            </Button>
          ) : null
        }
      />
      {editing === 'new' ? <ArticleForm ws={ws} onDone={() => setEditing(null)} /> : null}
      {list.isPending ? <Spinner /> : null}
      {list.error ? <ErrorBox error={list.error} onRetry={() => void list.refetch()} /> : null}
      {del.error ? <ErrorBox error={del.error} /> : null}
      {list.isSuccess && items.length === 0 && editing !== 'new' ? <Empty title="No articles yet">Add your shipping, returns and pricing policies so the AI can answer visitors.</Empty> : null}
      <div className="stack">
        {items.map((a) =>
          editing !== 'new' && editing?.id === a.id ? (
            <ArticleForm key={a.id} ws={ws} article={a} onDone={() => setEditing(null)} />
          ) : (
            <Card
              key={a.id}
              title={a.title}
              actions={
                <>
                  <span className="muted small">
                    Updated <RelativeTime iso={a.updated_at} />
                  </span>
                  <Button size="sm" onClick={() => setEditing(a)} aria-label={`Edit ${a.title}`}>
                    Edit
                  </Button>
                  <Button
                    size="sm"
                    variant="danger"
                    aria-label={`Delete ${a.title}`}
                    busy={del.isPending && del.variables === a.id}
                    onClick={() => {
                      if (window.confirm(`Delete “${a.title}”? The AI will no longer use it.`)) del.mutate(a.id);
                    }}
                  >
                    Delete
                  </Button>
                </>
              }
            >
              <p className="pre clamp">{a.body}</p>
              {a.url ? (
                <p className="muted small">
                  Linked in answers:{' '}
                  <a href={a.url} target="_blank" rel="noopener noreferrer">
                    {a.url}
                  </a>
                </p>
              ) : null}
            </Card>
          ),
        )}
      </div>
      <LoadMore list={list} />
    </div>
  );
}

function ArticleForm({ ws, article, onDone }: { ws: string; article?: Article; onDone: () => void }) {
  const save = useSaveArticle(ws);
  const [title, setTitle] = useState(article?.title ?? '');
  const [body, setBody] = useState(article?.body ?? '');
  const [url, setUrl] = useState(article?.url ?? '');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ id: article?.id, title: title.trim(), body, url: url.trim() }, { onSuccess: onDone });
  };
  return (
    <Card title={article ? 'Edit article' : 'New article'}>
      <form className="stack" onSubmit={submit}>
        <TextField label="Title" required value={title} onChange={(e) => setTitle(e.target.value)} error={fieldError(save.error, 'title')} autoFocus />
        <TextArea label="Body" required rows={10} value={body} onChange={(e) => setBody(e.target.value)} error={fieldError(save.error, 'body')} />
        <TextField
          label="Page URL (optional)"
          type="url"
          inputMode="url"
          placeholder="https://www.example.com/help/shipping"
          hint="Where this article is on your website: the AI links it when it answers from it."
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          error={fieldError(save.error, 'url')}
        />
        {save.error && !fieldError(save.error, 'title') && !fieldError(save.error, 'body') && !fieldError(save.error, 'url') ? <ErrorBox error={save.error} /> : null}
        <div className="row-end">
          <Button onClick={onDone}>Cancel</Button>
          <Button type="submit" variant="primary" busy={save.isPending}>
            {article ? 'Save' : 'Add article'}
          </Button>
        </div>
      </form>
    </Card>
  );
}

// Filing the current request: its topic (from the queue's list) and comments.
import { useState } from 'preact/hooks';
import type { CallCard, CallNotes } from '../../types';

export function CallNotesForm({ card, save }: { card: CallCard; save: (what: 'topic' | 'comment', body: object) => Promise<CallNotes | undefined> }) {
  const [comment, setComment] = useState('');
  const notes = card.notes;
  const addComment = (e: Event) => {
    e.preventDefault();
    save('comment', { text: comment }).then((saved) => saved && setComment(''));
  };
  return (
    <div class="notes">
      <label>
        Topic{' '}
        <select aria-label="topic" value={notes.topic?.topic ?? ''} onChange={(e) => save('topic', { topic: e.currentTarget.value })}>
          <option value="" disabled>
            choose…
          </option>
          {card.topics.map((t) => (
            <option value={t}>{t}</option>
          ))}
        </select>
      </label>
      <ul class="comments" data-testid="call-comments">
        {notes.comments.map((c) => (
          <li>
            {c.text} <small>— {c.by}</small>
          </li>
        ))}
      </ul>
      <form class="comment-form" onSubmit={addComment}>
        <textarea aria-label="comment" rows={2} maxLength={2000} value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
        <button type="submit" disabled={comment.trim() === ''}>
          Add comment
        </button>
      </form>
    </div>
  );
}

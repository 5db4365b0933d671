// The queue's call script: the current step's text and its options as buttons; every click
// stores the path taken so far with the call, and "Back" steps back along it.
import type { CallScript } from '../../types';

export function ScriptRunner({ script, path, onPath }: { script: CallScript; path: string[] | null; onPath: (path: string[]) => void }) {
  const taken = path && path.length > 0 ? path : [script.start];
  const here = script.steps[taken[taken.length - 1]];
  return (
    <div class="script" data-testid="call-script">
      <h3>{script.title || 'Call script'}</h3>
      <ol class="path">
        {taken.slice(0, -1).map((id, i) => (
          <li class="muted">{script.steps[id].options.find((o) => o.next === taken[i + 1])?.label ?? id}</li>
        ))}
      </ol>
      <p class="step" data-step={taken[taken.length - 1]}>
        {here.text}
      </p>
      <div class="options">
        {here.options.map((o) => (
          <button onClick={() => onPath([...taken, o.next])}>{o.label}</button>
        ))}
        {here.options.length === 0 && <span class="done">Script finished</span>}
        {taken.length > 1 && (
          <button class="back" onClick={() => onPath(taken.slice(0, -1))}>
            Back
          </button>
        )}
      </div>
    </div>
  );
}

// A report table (engine/reports/table.ts) on screen, cells as cellText shows them, with CSV
// and XLSX export of exactly these rows. `onPick` makes the first cell of each row a button.
import { cellText, type Table } from '../../engine/reports/table.js';
import { exportTable } from './export';

export function ReportTable({ table, title, stem, onPick }: { table: Table; title: string; stem: string; onPick?: (row: number) => void }) {
  return (
    <section class="card report" data-table={table.name}>
      <header class="report-head">
        <h2>{title}</h2>
        <span class="exports">
          <button onClick={() => exportTable(table, stem, 'csv')}>CSV</button>
          <button onClick={() => exportTable(table, stem, 'xlsx')}>XLSX</button>
        </span>
      </header>
      <table class="list">
        <thead>
          <tr>
            {table.columns.map((c) => (
              <th class={c.kind === 'text' ? '' : 'num'}>{c.title}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((row, r) => (
            <tr>
              {row.map((v, i) => {
                const kind = table.columns[i].kind;
                const text = cellText(kind, v);
                return (
                  <td class={kind === 'text' ? '' : 'num'}>
                    {i === 0 && onPick ? (
                      <button class="link-button" onClick={() => onPick(r)}>
                        {text}
                      </button>
                    ) : (
                      text
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {table.rows.length === 0 && <p class="muted">Nothing in this interval.</p>}
    </section>
  );
}

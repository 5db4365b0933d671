// Table exports: the XLSX writer's file is read back by python3's zipfile and XML parser (every
// CRC checked, the package followed from _rels/.rels to the sheets) and `unzip -t`; CSV follows
// RFC 4180 and shows the cells as the screen does.
import t from 'tap';
import { crc32 } from '../../../engine/reports/crc32.js';
import { csv } from '../../../engine/reports/csv.js';
import { cellText, type Table } from '../../../engine/reports/table.js';
import { columnName, xlsx } from '../../../engine/reports/xlsx.js';
import { readXlsx } from './xlsx-reader.js';

const groups: Table = {
  name: 'groups',
  columns: [
    { title: 'Group', kind: 'text' },
    { title: 'Offered', kind: 'count' },
    { title: 'Service level, %', kind: 'percent' },
    { title: 'ASA, s', kind: 'seconds' },
  ],
  rows: [
    ['support', 4, 0.25, 17_500],
    ['продажи & <sales>', 1, null, null],
    [' spaced "quoted", text ', 0, 1 / 3, 1234],
  ],
};

t.test('CRC-32 and column names', async (t) => {
  t.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926, 'the check value of CRC-32/ISO-HDLC');
  t.same([0, 25, 26, 51, 52, 701, 702].map(columnName), ['A', 'Z', 'AA', 'AZ', 'BA', 'ZZ', 'AAA']);
});

t.test('an XLSX workbook opens and holds the tables', async (t) => {
  const agents: Table = { name: 'agents of support: [day]', columns: [{ title: 'Agent', kind: 'text' }], rows: [['Anna'], ['Boris\u0001']] };
  const book = readXlsx(xlsx([groups, agents]));
  for (const part of ['[Content_Types].xml', '_rels/.rels', 'xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'xl/styles.xml', 'xl/worksheets/sheet1.xml', 'xl/worksheets/sheet2.xml']) {
    t.ok(book.parts.includes(part), part);
  }
  t.equal(book.sheets.length, 2);
  t.equal(book.sheets[0].name, 'groups');
  t.equal(book.sheets[1].name, 'agents of support   day', 'characters a sheet name may not have are replaced');
  t.same(book.sheets[0].rows, [
    ['Group', 'Offered', 'Service level, %', 'ASA, s'],
    ['support', 4, 25, 17.5],
    ['продажи & <sales>', 1],
    [' spaced "quoted", text ', 0, 33.3, 1.2],
  ]);
  t.same(book.sheets[1].rows, [['Agent'], ['Anna'], ['Boris']], 'characters XML cannot carry are dropped');
  t.same(xlsx([groups]), xlsx([groups]), 'the same table gives the same bytes');
  t.throws(() => xlsx([]), RangeError);
});

t.test('a large sheet keeps every cell', async (t) => {
  const rows = Array.from({ length: 5000 }, (_, i) => [`agent ${i}`, i, i / 5000, i * 1000]);
  const book = readXlsx(xlsx([{ ...groups, rows }]));
  t.equal(book.sheets[0].rows.length, 5001);
  t.same(book.sheets[0].rows[4001], ['agent 4000', 4000, 80, 4000]);
});

t.test('CSV: RFC 4180 quoting, the cells as on screen, a BOM, no formulas', async (t) => {
  const text = csv(groups);
  t.ok(text.startsWith('\ufeff'));
  t.equal(
    text.slice(1),
    'Group,Offered,"Service level, %","ASA, s"\r\n' + 'support,4,25.0,17.5\r\n' + 'продажи & <sales>,1,,\r\n' + '" spaced ""quoted"", text ",0,33.3,1.2\r\n',
  );
  t.equal(cellText('seconds', 17_500), '17.5');
  t.same([cellText('decimal', 2 / 3), cellText('count', 2.6), cellText('percent', null), cellText('seconds', NaN)], ['0.7', '3', '', '']);
  const risky: Table = { name: 'x', columns: [{ title: 'Agent', kind: 'text' }], rows: [['=HYPERLINK("x")'], ['@SUM(1)']] };
  t.equal(csv(risky).slice(1), 'Agent\r\n"\'=HYPERLINK(""x"")"\r\n\'@SUM(1)\r\n', 'a leading = or @ cannot start a formula');
});

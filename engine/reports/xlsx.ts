// An XLSX workbook (Office Open XML SpreadsheetML, ECMA-376 part 1) with one sheet per table:
// the package parts a spreadsheet needs ([Content_Types].xml, the relationships, the workbook,
// a minimal stylesheet with a bold header, the sheets with inline strings) in a stored ZIP.
import { cellValue, type Table, type Value } from './table.js';
import { zip } from './zip.js';

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';
const TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml';
const XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

// Characters XML 1.0 does not allow (§2.2) are dropped; the five markup ones are escaped.
const escape = (s: string) =>
  s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** A1-style column letters: 0 → A, 25 → Z, 26 → AA. */
export function columnName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

/** Excel's sheet-name rules: at most 31 characters, none of []:*?/\, unique in the workbook. */
function sheetNames(tables: Table[]): string[] {
  const used = new Set<string>();
  return tables.map((t, i) => {
    let name = t.name.replace(/[[\]:*?/\\]/g, ' ').trim().slice(0, 31) || `Sheet${i + 1}`;
    if (used.has(name.toLowerCase())) name = `${name.slice(0, 27)} (${i + 1})`;
    used.add(name.toLowerCase());
    return name;
  });
}

function cell(ref: string, value: Value, style: number): string {
  const s = style ? ` s="${style}"` : '';
  if (value === null) return '';
  if (typeof value === 'number') return `<c r="${ref}"${s}><v>${value}</v></c>`;
  const space = /^\s|\s$/.test(value) ? ' xml:space="preserve"' : '';
  return `<c r="${ref}"${s} t="inlineStr"><is><t${space}>${escape(value)}</t></is></c>`;
}

function sheet(table: Table): string {
  const header = table.columns.map((c, i) => cell(`${columnName(i)}1`, c.title, 1)).join('');
  const rows = table.rows.map((row, r) => `<row r="${r + 2}">${row.map((v, i) => cell(`${columnName(i)}${r + 2}`, cellValue(table.columns[i].kind, v), 0)).join('')}</row>`);
  return `${XML}<worksheet xmlns="${MAIN}"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData><row r="1">${header}</row>${rows.join('')}</sheetData></worksheet>`;
}

// Style 0 is the default, style 1 the bold header. Two fills are required (none and gray125).
const STYLES = `${XML}<styleSheet xmlns="${MAIN}"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`;

/** The workbook as the bytes of an .xlsx file. */
export function xlsx(tables: Table[]): Uint8Array {
  if (tables.length === 0) throw new RangeError('a workbook needs at least one table');
  const names = sheetNames(tables);
  const n = tables.length;
  const contentTypes = `${XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="${TYPE}.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="${TYPE}.styles+xml"/>${names.map((_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="${TYPE}.worksheet+xml"/>`).join('')}</Types>`;
  const rootRels = `${XML}<Relationships xmlns="${PKG_REL}"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`;
  const workbook = `${XML}<workbook xmlns="${MAIN}" xmlns:r="${REL}"><sheets>${names.map((name, i) => `<sheet name="${escape(name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('')}</sheets></workbook>`;
  const workbookRels = `${XML}<Relationships xmlns="${PKG_REL}">${names.map((_, i) => `<Relationship Id="rId${i + 1}" Type="${REL}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('')}<Relationship Id="rId${n + 1}" Type="${REL}/styles" Target="styles.xml"/></Relationships>`;
  const text = new TextEncoder();
  return zip([
    { name: '[Content_Types].xml', data: text.encode(contentTypes) },
    { name: '_rels/.rels', data: text.encode(rootRels) },
    { name: 'xl/workbook.xml', data: text.encode(workbook) },
    { name: 'xl/_rels/workbook.xml.rels', data: text.encode(workbookRels) },
    { name: 'xl/styles.xml', data: text.encode(STYLES) },
    ...tables.map((t, i) => ({ name: `xl/worksheets/sheet${i + 1}.xml`, data: text.encode(sheet(t)) })),
  ]);
}

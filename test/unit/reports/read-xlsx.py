# Reads an .xlsx the way a spreadsheet program must: checks the ZIP (every CRC), parses each
# part as XML, follows the package relationships from _rels/.rels to the workbook and its
# sheets, and prints {"sheets": [{"name", "rows"}], "parts": [...]} as JSON (cells: numbers or strings).
import json, re, sys, zipfile
import xml.etree.ElementTree as ET

NS = {
    'm': 'http://schemas.openxmlformats.org/spreadsheetml/2006/main',
    'p': 'http://schemas.openxmlformats.org/package/2006/relationships',
    'ct': 'http://schemas.openxmlformats.org/package/2006/content-types',
}
R_ID = '{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id'

with zipfile.ZipFile(sys.argv[1]) as z:
    bad = z.testzip()
    if bad is not None:
        sys.exit(f'bad CRC in {bad}')
    parts = z.namelist()
    xml = {name: ET.fromstring(z.read(name)) for name in parts}

types = xml['[Content_Types].xml']
overrides = {o.get('PartName'): o.get('ContentType') for o in types.findall('ct:Override', NS)}
root_rel = xml['_rels/.rels'].find('p:Relationship', NS)
workbook_part = root_rel.get('Target')
assert workbook_part == 'xl/workbook.xml', workbook_part
assert overrides['/' + workbook_part].endswith('.sheet.main+xml')
rels = {r.get('Id'): r.get('Target') for r in xml['xl/_rels/workbook.xml.rels'].findall('p:Relationship', NS)}

def col_index(ref):
    letters = re.match(r'[A-Z]+', ref).group(0)
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1

sheets = []
for s in xml[workbook_part].find('m:sheets', NS):
    part = 'xl/' + rels[s.get(R_ID)]
    assert overrides['/' + part].endswith('.worksheet+xml'), part
    rows = []
    for row in xml[part].find('m:sheetData', NS):
        cells = []
        for c in row:
            i = col_index(c.get('r'))
            cells.extend([None] * (i - len(cells)))
            if c.get('t') == 'inlineStr':
                cells.append(''.join(t.text or '' for t in c.iter('{%s}t' % NS['m'])))
            else:
                cells.append(float(c.find('m:v', NS).text))
        rows.append(cells)
    sheets.append({'name': s.get('name'), 'rows': rows})

print(json.dumps({'parts': parts, 'sheets': sheets}))

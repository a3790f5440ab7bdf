// Test data that looks like the real thing: documents a claimant uploads, marks nobody holds.

/** A small well-formed one-page PDF, like a scanned V5C, unique per call. */
export function realPdf(text: string): Uint8Array {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 100] /Contents 4 0 R >>',
  ];
  const content = `BT /F1 12 Tf 10 50 Td (${text}) Tj ET`;
  objects.push(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  const rows = offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${rows}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(body);
}

export const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

const REGIONS = 'ABCDEFGHKLMNOPRSVWXY';
const TAG = 'ABCDEFGHJKLMNOPRSTUVWXY';
const RANDOM = 'ABCDEFGHJKLMNOPRSTUVWXYZ';
const AGES = ['16', '19', '22', '66', '69', '72'];
const pick = <T>(from: ArrayLike<T>) => from[Math.floor(Math.random() * from.length)] as T;
/** A current-style mark of this test's own, in display form. */
export const freshMark = () =>
  `${pick(REGIONS)}${pick(TAG)}${pick(AGES)} ` + `${pick(RANDOM)}${pick(RANDOM)}${pick(RANDOM)}`;

/**
 * The handshake tables: which fields of ClientHello, ServerHello, Certificate
 * and ServerKeyExchange a report shows: the field registry's table rows, with
 * its labels and values. Field paths are the ones suspects and annotations
 * use, so rows can carry their marks.
 */
import type { ConnectionReport } from '../../../shared/analysis';
import { fieldContains, getField } from '../../../shared/fields/path';
import { formatField, messageOfField as registryMessage, tableFields, type FieldDescriptor, type MessageName } from '../../../shared/fields/registry';

export interface FieldRow {
  /** Path as in suspects and annotations. */
  field: string;
  label: string;
  get(c: ConnectionReport): string | null;
}

export interface FieldGroup {
  /** The handshake message the fields are in. */
  message: string;
  title: string;
  rows: FieldRow[];
  present(c: ConnectionReport): boolean;
}

/** A message's rows from the field registry; `index` places a certificate's (`certificates[*]` → `certificates[1]`). */
function rows(message: MessageName, present: (c: ConnectionReport) => boolean, index = 0): FieldRow[] {
  return tableFields(message).map((d: FieldDescriptor) => {
    const field = d.path.replace('[*]', `[${index}]`);
    return { field, label: d.label, get: (c: ConnectionReport) => (present(c) ? formatField(field, getField(c, field), c) : null) };
  });
}

export function fieldGroups(conns: Array<ConnectionReport | null>): FieldGroup[] {
  const present = conns.filter((c): c is ConnectionReport => !!c);
  const chain = Math.max(0, ...present.map((c) => c.certificates.length));
  const groups: FieldGroup[] = [
    { message: 'ClientHello', title: 'ClientHello', rows: rows('ClientHello', (c) => !!c.clientHello), present: (c) => !!c.clientHello },
    { message: 'ServerHello', title: 'ServerHello', rows: rows('ServerHello', (c) => !!c.serverHello), present: (c) => !!c.serverHello },
  ];
  for (let i = 0; i < chain; i++) {
    const has = (c: ConnectionReport) => !!c.certificates[i];
    groups.push({ message: 'Certificate', title: `Certificate ${i}${i === 0 ? ' (leaf)' : ''}`, rows: rows('Certificate', has, i), present: has });
  }
  const ske = (c: ConnectionReport) => !!c.serverKeyExchange;
  groups.push({ message: 'ServerKeyExchange', title: 'ServerKeyExchange', rows: rows('ServerKeyExchange', ske), present: ske });
  return groups.filter((g) => present.some((c) => g.present(c)));
}

/** Does a suspect/annotation on `field` belong on this row? (`serverHello.extensions[1]` marks the extensions row.) */
export const fieldMatches = fieldContains;

/**
 * The message whose hex view shows notes on a field. Summary fields
 * (`tls.*`, `fingerprints.*`) have no bytes of their own to mark.
 */
export function messageOfField(field: string): string | null {
  return field.startsWith('tls.') || field.startsWith('fingerprints.') ? null : registryMessage(field);
}

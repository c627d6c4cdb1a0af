/** The "add a note" dialog (a native modal dialog: focus stays in it, Escape closes it). */
import type { CaptureSide, NoteTarget } from '../../shared/webviewProtocol';
import { post } from './api';
import { ce, h } from './dom';

let dialog: HTMLDialogElement | null = null;

export function openNoteDialog(side: CaptureSide, target: NoteTarget, what: string, sideName: string): void {
  dialog?.remove();
  const area = ce('vscode-textarea', { rows: 4, placeholder: 'What you see here, for the report…', 'aria-label': `Note on ${what}`, class: 'note-text' }) as HTMLElement & { value: string };
  const status = h('p', { class: 'muted', role: 'status' });
  const save = ce('vscode-button', { icon: 'check' }, 'Save note');
  const cancel = ce('vscode-button', { secondary: true }, 'Cancel');
  const d = h('dialog', { class: 'note-dialog', 'aria-label': `Add a note to ${what}` },
    h('h2', {}, 'Add a note'),
    h('p', { class: 'muted' }, `On ${what} in the ${sideName}. Saved next to the capture (.annotations.json) and included in exported reports.`),
    area, status, h('div', { class: 'dialog-buttons' }, save, cancel));
  const submit = () => {
    const text = (area.value ?? '').trim();
    if (!text) {
      status.textContent = 'Write something first.';
      return;
    }
    post({ type: 'annotate', side, target, text });
    d.close();
  };
  save.addEventListener('click', submit);
  cancel.addEventListener('click', () => d.close());
  d.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      submit();
    }
  });
  const back = document.activeElement as HTMLElement | null;
  d.addEventListener('close', () => {
    d.remove();
    dialog = null;
    back?.focus();
  });
  document.body.append(d);
  dialog = d;
  d.showModal();
  requestAnimationFrame(() => area.focus());
}

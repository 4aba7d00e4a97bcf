/**
 * The scenario editor as the page sees it: the text, read-only while a run goes, the loader's
 * problems marked at their line. The textarea serves until CodeMirror (editorCm.ts, a chunk
 * loaded on demand) replaces it, and keeps the same text after (hidden), so the page works
 * without the chunk. Also: open a scenario file, save the text to one.
 */

export interface ScenarioEditor {
  text(): string;
  /** Replace the text (not reported as an edit). */
  setText(text: string): void;
  setReadOnly(ro: boolean): void;
  /** Mark errors and notes in the text; each one's 1-based line, null where the text does not place it. */
  setProblems(errors: string[], notes: string[]): Array<number | null>;
  /** Select and show the i-th problem of the last setProblems. */
  reveal(i: number): void;
  /** Settles once CodeMirror is in place (or failed to load: the textarea stays). */
  ready: Promise<void>;
}

export function createEditor(textarea: HTMLTextAreaElement, onChange: () => void): ScenarioEditor {
  type Cm = import('./editorCm.ts').CmEditor;
  let cm: Cm | null = null;
  let lastProblems: [string[], string[]] = [[], []];
  const onInput = () => onChange();
  textarea.addEventListener('input', onInput);
  const ready = import('./editorCm.ts')
    .then((m) => {
      textarea.removeEventListener('input', onInput);
      cm = m.mountCodeMirror(textarea, onChange);
      cm.setReadOnly(textarea.readOnly);
      cm.setProblems(...lastProblems);
      document.body.dataset.editor = 'codemirror';
    })
    .catch((e) => {
      console.warn('scenario editor: CodeMirror did not load; the plain text box stays', e);
    });
  return {
    text: () => cm?.text() ?? textarea.value,
    setText(text) {
      textarea.value = text;
      cm?.setText(text);
    },
    setReadOnly(ro) {
      textarea.readOnly = ro;
      cm?.setReadOnly(ro);
    },
    setProblems(errors, notes) {
      lastProblems = [errors, notes];
      textarea.setAttribute('aria-invalid', errors.length ? 'true' : 'false');
      return cm?.setProblems(errors, notes) ?? [...errors, ...notes].map(() => null);
    },
    reveal: (i) => cm?.reveal(i),
    ready,
  };
}

/** "Open…" reads a YAML/JSON file into the editor; "Save" downloads the text under the scenario's name. */
export function wireScenarioFiles(opts: {
  open: HTMLInputElement;
  save: HTMLButtonElement;
  editor: ScenarioEditor;
  onOpen: (fileName: string, text: string) => void;
}): void {
  opts.open.addEventListener('change', async () => {
    const f = opts.open.files?.[0];
    opts.open.value = '';
    if (f) opts.onOpen(f.name, await f.text());
  });
  opts.save.addEventListener('click', () => {
    const text = opts.editor.text();
    const name = /^name:\s*["']?([\w.-]+)/m.exec(text)?.[1] ?? 'scenario';
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([text], { type: 'application/yaml' }));
    a.download = `${name}.yaml`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  });
}

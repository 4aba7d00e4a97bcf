/**
 * The scenario editor proper: CodeMirror 6 with YAML highlighting, line numbers, the loader's
 * problems marked where they are (yamlPaths.ts), and completion and hover docs from the
 * scenario's JSON Schema (schemaDocs.ts). Loaded on demand by editor.ts (a chunk of its own),
 * so the page's first script does not carry it.
 */
import { basicSetup } from 'codemirror';
import { Compartment, EditorState } from '@codemirror/state';
import { EditorView, hoverTooltip } from '@codemirror/view';
import { yaml } from '@codemirror/lang-yaml';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { tags } from '@lezer/highlight';
import { type Diagnostic, lintGutter, setDiagnostics } from '@codemirror/lint';
import type { CompletionContext, CompletionResult } from '@codemirror/autocomplete';
import { scenarioJsonSchema } from '../../sim/scenario/load.ts';
import { cursorPlace, problemRange } from './yamlPaths.ts';
import { fieldDoc, fieldsAt, kindDoc, valuesAt, type JsonSchema } from './schemaDocs.ts';

let schemaCache: JsonSchema | null = null;
const schema = () => {
  schemaCache ??= scenarioJsonSchema() as JsonSchema;
  return schemaCache;
};

/** Field names where a key is typed; a field's values (kinds, enums, booleans) after `key:`. */
function complete(ctx: CompletionContext): CompletionResult | null {
  const text = ctx.state.doc.toString();
  const place = cursorPlace(text, ctx.pos);
  if (!place.word && !ctx.explicit) {
    // Offer values right after `key: `, fields on an empty line only when asked (Ctrl-Space).
    if (place.mode !== 'value') return null;
  }
  if (place.mode === 'value') {
    const values = valuesAt(schema(), place.path);
    if (!values.length) return null;
    return {
      from: place.wordFrom,
      options: values.map((v) => ({ label: v.value, type: 'enum', info: v.description || undefined })),
      validFor: /^[\w.-]*$/,
    };
  }
  const fields = fieldsAt(schema(), place.path, place.kind);
  if (!fields.length) return null;
  return {
    from: place.wordFrom,
    options: fields.map((f) => ({
      label: f.name,
      type: 'property',
      apply: `${f.name}: `,
      detail: f.type + (f.required ? ' (required)' : ''),
      info: [f.description, f.default !== undefined ? `default: ${f.default}` : ''].filter(Boolean).join('\n'),
      boost: f.required ? 1 : 0,
    })),
    validFor: /^[\w-]*$/,
  };
}

/** Hovering a field name shows its documentation; hovering a kind's value, that kind's. */
const schemaHover = hoverTooltip((view, pos) => {
  const line = view.state.doc.lineAt(pos);
  const text = line.text;
  let a = pos - line.from;
  let b = a;
  while (a > 0 && /[\w-]/.test(text[a - 1])) a--;
  while (b < text.length && /[\w-]/.test(text[b])) b++;
  if (a === b) return null;
  const word = text.slice(a, b);
  const doc = view.state.doc.toString();
  const isKey = /^\s*:/.test(text.slice(b));
  const place = cursorPlace(doc, line.from + a);
  let title = '';
  let body = '';
  if (isKey) {
    const f = fieldDoc(schema(), place.path, word, place.kind);
    if (!f) return null;
    title = `${word}: ${f.type}${f.required ? ' (required)' : ''}`;
    body = [f.description, f.default !== undefined ? `default: ${f.default}` : ''].filter(Boolean).join('\n');
  } else if (place.mode === 'value' && place.key === 'kind') {
    const d = kindDoc(schema(), place.path.slice(0, -1), word);
    if (!d) return null;
    title = `kind: ${word}`;
    body = d;
  } else return null;
  return {
    pos: line.from + a,
    end: line.from + b,
    above: true,
    create: () => {
      const dom = document.createElement('div');
      dom.className = 'cm-schema-doc';
      const h = document.createElement('strong');
      h.textContent = title;
      const p = document.createElement('div');
      p.textContent = body;
      dom.append(h, p);
      return { dom };
    },
  };
});

const theme = EditorView.theme({
  '&': { fontSize: '12.5px', border: '1px solid var(--border)', borderRadius: '4px', background: 'var(--panel)' },
  '&.cm-focused': { outline: '2px solid var(--accent)', outlineOffset: '-1px' },
  '.cm-scroller': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', lineHeight: '1.45' },
  '.cm-gutters': { background: 'var(--bg)', color: 'var(--muted)', borderRight: '1px solid var(--border)' },
  '.cm-activeLine, .cm-activeLineGutter': { background: 'color-mix(in srgb, var(--accent) 8%, transparent)' },
  '.cm-content': { caretColor: 'var(--fg)' },
  '.cm-tooltip': { background: 'var(--panel)', color: 'var(--fg)', border: '1px solid var(--border)' },
  '.cm-schema-doc': { maxWidth: '440px', padding: '4px 8px', whiteSpace: 'pre-wrap', fontSize: '12px' },
});

/**
 * Token colours from the page's CSS variables (styles.css), so that they follow the light and
 * dark themes (CodeMirror's default style is drawn for a light background only).
 */
const highlight = HighlightStyle.define([
  { tag: [tags.propertyName, tags.definition(tags.propertyName)], color: 'var(--syn-key)' },
  { tag: [tags.string, tags.special(tags.string)], color: 'var(--syn-string)' },
  { tag: [tags.number, tags.bool, tags.null, tags.atom], color: 'var(--syn-number)' },
  { tag: [tags.comment, tags.lineComment, tags.blockComment], color: 'var(--syn-comment)', fontStyle: 'italic' },
  { tag: [tags.meta, tags.keyword, tags.labelName, tags.typeName], color: 'var(--syn-keyword)' },
  { tag: [tags.punctuation, tags.separator, tags.brace, tags.squareBracket], color: 'var(--muted)' },
]);

export interface CmEditor {
  text(): string;
  setText(text: string): void;
  setReadOnly(ro: boolean): void;
  /** Marks the problems; returns each one's 1-based line (null when the text does not place it). */
  setProblems(errors: string[], notes: string[]): Array<number | null>;
  reveal(i: number): void;
  focus(): void;
}

/** Mount CodeMirror in place of the textarea (which stays, hidden, holding the same text). */
export function mountCodeMirror(textarea: HTMLTextAreaElement, onChange: () => void): CmEditor {
  const readOnly = new Compartment();
  let silent = false;
  let ranges: Array<{ from: number; to: number } | null> = [];
  const view = new EditorView({
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        basicSetup,
        yaml(),
        syntaxHighlighting(highlight),
        lintGutter(),
        EditorState.languageData.of(() => [{ autocomplete: complete }]),
        schemaHover,
        theme,
        EditorView.lineWrapping,
        readOnly.of([EditorState.readOnly.of(false), EditorView.editable.of(true)]),
        EditorView.contentAttributes.of({
          'aria-label': 'Scenario YAML',
          'aria-describedby': 'errors',
          spellcheck: 'false',
        }),
        EditorView.updateListener.of((u) => {
          if (!u.docChanged) return;
          textarea.value = u.state.doc.toString();
          if (!silent) onChange();
        }),
      ],
    }),
  });
  textarea.hidden = true;
  textarea.after(view.dom);
  view.dom.id = 'yaml-editor';
  return {
    text: () => view.state.doc.toString(),
    setText(text) {
      silent = true;
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
      silent = false;
    },
    setReadOnly(ro) {
      view.dispatch({
        effects: readOnly.reconfigure([EditorState.readOnly.of(ro), EditorView.editable.of(!ro)]),
      });
    },
    setProblems(errors, notes) {
      const text = view.state.doc.toString();
      const diags: Diagnostic[] = [];
      ranges = [...errors, ...notes].map((line) => problemRange(text, line));
      ranges.forEach((r, i) => {
        if (!r) return;
        diags.push({
          from: r.from,
          to: Math.min(r.to, text.length),
          severity: i < errors.length ? 'error' : 'info',
          message: i < errors.length ? errors[i] : notes[i - errors.length],
        });
      });
      view.dispatch(setDiagnostics(view.state, diags));
      return ranges.map((r) => (r ? view.state.doc.lineAt(Math.min(r.from, text.length)).number : null));
    },
    reveal(i) {
      const r = ranges[i];
      if (!r) return;
      view.dispatch({ selection: { anchor: r.from, head: r.to }, scrollIntoView: true });
      view.focus();
    },
    focus: () => view.focus(),
  };
}

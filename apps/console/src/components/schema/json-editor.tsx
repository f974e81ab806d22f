'use client';

import { useImperativeHandle, useRef, useState, type KeyboardEvent, type Ref } from 'react';

const INDENT = '  ';

export interface JsonEditorHandle {
  /** Moves the caret to the start of a line (1-based), scrolls it into view and focuses the editor. */
  goToLine(line: number): void;
}

/**
 * A plain textarea made for JSON: monospace, line numbers, no wrapping. Tab indents (the selected lines, or
 * at the caret), Shift+Tab outdents, Enter keeps the line's indentation. Escape hands Tab back to the page,
 * so the keyboard can always leave the editor. Edits go through `insertText`, so undo keeps working.
 */
export function JsonEditor({
  id,
  value,
  onChange,
  readOnly,
  markedLines,
  describedBy,
  invalid,
  rows = 24,
  ref,
}: {
  id: string;
  value: string;
  onChange: (value: string) => void;
  readOnly?: boolean;
  /** Lines to mark in the gutter (a syntax error, a problem the API named). */
  markedLines?: ReadonlySet<number>;
  describedBy?: string;
  invalid?: boolean;
  rows?: number;
  ref?: Ref<JsonEditorHandle>;
}) {
  const textarea = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const [tabLeaves, setTabLeaves] = useState(false);
  const lineCount = value.split('\n').length;

  useImperativeHandle(ref, () => ({
    goToLine(line: number) {
      const element = textarea.current;
      if (!element) return;
      const lines = element.value.split('\n');
      const start = lines.slice(0, Math.max(0, line - 1)).reduce((sum, text) => sum + text.length + 1, 0);
      element.focus();
      element.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
      const lineHeight = parseFloat(getComputedStyle(element).lineHeight) || 20;
      element.scrollTop = Math.max(0, (line - 4) * lineHeight);
    },
  }));

  /** Replaces the selection (or the range given) as typing would: one undo step, an input event. */
  function insert(text: string, from?: number, to?: number) {
    const element = textarea.current;
    if (!element) return;
    if (from !== undefined && to !== undefined) element.setSelectionRange(from, to);
    // execCommand is the one way to edit a textarea that the browser's undo history records.
    if (!document.execCommand('insertText', false, text)) {
      element.setRangeText(text, element.selectionStart, element.selectionEnd, 'end');
      onChange(element.value);
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (readOnly) return;
    const element = event.currentTarget;
    if (event.key === 'Escape') {
      setTabLeaves(true);
      return;
    }
    if (event.key === 'Tab' && !tabLeaves && !event.altKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      const { selectionStart: start, selectionEnd: end, value: text } = element;
      const lineStart = text.lastIndexOf('\n', start - 1) + 1;
      const multiLine = text.slice(start, end).includes('\n');
      if (!event.shiftKey && !multiLine) return insert(INDENT);
      // Indent or outdent every line the selection touches, and keep them selected.
      const blockEnd = end > start && text[end - 1] === '\n' ? end - 1 : end;
      const block = text.slice(lineStart, blockEnd);
      const changed = block
        .split('\n')
        .map((line) => (event.shiftKey ? line.replace(new RegExp(`^ {1,${INDENT.length}}`), '') : INDENT + line))
        .join('\n');
      if (changed === block) return;
      insert(changed, lineStart, blockEnd);
      element.setSelectionRange(lineStart, lineStart + changed.length);
      return;
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.ctrlKey && !event.metaKey && !event.altKey) {
      const { selectionStart: start, value: text } = element;
      const lineStart = text.lastIndexOf('\n', start - 1) + 1;
      const indent = /^[ \t]*/.exec(text.slice(lineStart, start))?.[0] ?? '';
      const opens = /[{[]\s*$/.test(text.slice(lineStart, start));
      const closes = /^\s*[}\]]/.test(
        text.slice(start, text.indexOf('\n', start) < 0 ? undefined : text.indexOf('\n', start)),
      );
      if (!indent && !opens) return;
      event.preventDefault();
      if (opens && closes) {
        // Between brackets: the inner line indented, the closing bracket on its own line.
        insert(`\n${indent}${INDENT}\n${indent}`);
        const caret = start + 1 + indent.length + INDENT.length;
        element.setSelectionRange(caret, caret);
      } else insert(`\n${indent}${opens ? INDENT : ''}`);
    }
  }

  return (
    <div
      className={`flex overflow-hidden rounded-lg bg-white shadow-sm ring-1 ring-inset focus-within:ring-2 focus-within:ring-indigo-600 dark:bg-zinc-950 ${
        invalid ? 'ring-rose-500' : 'ring-zinc-300 dark:ring-zinc-700'
      }`}
    >
      <div
        ref={gutter}
        aria-hidden="true"
        className="shrink-0 overflow-hidden border-r border-zinc-200 bg-zinc-50 py-2 text-right font-mono text-xs leading-5 text-zinc-400 select-none dark:border-zinc-800 dark:bg-zinc-900"
        style={{ height: `calc(${rows} * 1.25rem + 1rem)` }}
      >
        {Array.from({ length: lineCount }, (_, index) => (
          <div
            key={index}
            className={`px-2 ${markedLines?.has(index + 1) ? 'bg-rose-100 font-semibold text-rose-700 dark:bg-rose-950 dark:text-rose-300' : ''}`}
          >
            {index + 1}
          </div>
        ))}
      </div>
      <textarea
        ref={textarea}
        id={id}
        value={value}
        readOnly={readOnly}
        spellCheck={false}
        autoCapitalize="off"
        autoComplete="off"
        autoCorrect="off"
        wrap="off"
        rows={rows}
        aria-invalid={invalid}
        aria-describedby={describedBy}
        onChange={(event) => onChange(event.target.value)}
        onKeyDown={onKeyDown}
        onBlur={() => setTabLeaves(false)}
        onFocus={() => setTabLeaves(false)}
        onScroll={(event) => {
          if (gutter.current) gutter.current.scrollTop = event.currentTarget.scrollTop;
        }}
        className="block min-w-0 flex-1 resize-none border-0 bg-transparent px-3 py-2 font-mono text-xs leading-5 text-zinc-900 focus:ring-0 focus:outline-none dark:text-zinc-100"
        style={{ height: `calc(${rows} * 1.25rem + 1rem)`, tabSize: 2 }}
      />
    </div>
  );
}

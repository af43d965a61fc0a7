// Admin only. A formatting toolbar above each Markdown editor, for clinicians who do not write
// Markdown: each button writes the Markdown for them, around the selected text, or with a
// placeholder selected so that typing replaces it.
//
// Keyboard: the WAI-ARIA toolbar pattern. The toolbar is one Tab stop (eleven buttons between
// the summary and the text would be eleven presses each way); the arrow keys, Home and End move
// between its buttons, Escape goes back to the text; Alt+F10, as in most editors, goes from the
// text to the toolbar. Tab leaves the text as it leaves any field (see below).
"use strict";

// markdownx makes Tab and Shift+Tab indent inside the text, so a keyboard alone could never
// leave it (a keyboard trap). Its listener sits on the text itself; this one, on the document
// and capturing, runs first and keeps Tab from reaching it, so the browser moves the focus.
document.addEventListener(
  "keydown",
  function (event) {
    var onEditor = event.target instanceof Element && event.target.matches(".markdownx-editor");
    if (onEditor && event.key === "Tab" && !event.ctrlKey && !event.altKey && !event.metaKey) {
      event.stopPropagation();
    }
  },
  true
);

(function () {
  var MAC = /Mac|iPhone|iPad/.test(navigator.platform);
  var MOD = MAC ? "⌘" : "Ctrl+";
  // Uploads go through markdownx (editor/views.py checks them); these are the types it keeps.
  var IMAGE_TYPES = "image/jpeg,image/png,image/webp";

  // --- Changing the text ---------------------------------------------------------------------

  // Replace [start, end) with `text` as if typed, so Ctrl+Z undoes it and an `input` event
  // tells markdownx to refresh the preview; then select [selectStart, selectEnd) of the result.
  function replace(editor, start, end, text, selectStart, selectEnd) {
    editor.focus();
    editor.setSelectionRange(start, end);
    var typed = false;
    try {
      typed = text !== "" && document.execCommand("insertText", false, text);
    } catch (error) {
      typed = false;
    }
    if (!typed || editor.value.substring(start, start + text.length) !== text) {
      editor.setRangeText(text, start, end, "end");
      editor.dispatchEvent(new Event("input", { bubbles: true }));
    }
    editor.setSelectionRange(selectStart, selectEnd);
  }

  // `before`…`after` around the selection (its outer spaces left out, since `**word **` is not
  // bold), or around a selected placeholder. Pressing again on wrapped text unwraps it.
  function wrap(editor, before, after, placeholder) {
    var value = editor.value;
    var start = editor.selectionStart;
    var end = editor.selectionEnd;
    while (start < end && /\s/.test(value[start])) start++;
    while (end > start && /\s/.test(value[end - 1])) end--;
    if (
      value.substring(start - before.length, start) === before &&
      value.substring(end, end + after.length) === after &&
      start !== end
    ) {
      var inner = value.substring(start, end);
      var from = start - before.length;
      replace(editor, from, end + after.length, inner, from, from + inner.length);
      return;
    }
    var text = start === end ? placeholder : value.substring(start, end);
    replace(
      editor,
      start,
      end,
      before + text + after,
      start + before.length,
      start + before.length + text.length
    );
  }

  // The whole lines the selection touches: [start, end) of the text.
  function selectedLines(editor) {
    var value = editor.value;
    var start = value.lastIndexOf("\n", editor.selectionStart - 1) + 1;
    var end = editor.selectionEnd;
    if (end > editor.selectionStart && value[end - 1] === "\n") end--; // a selection to a line's end
    var lineEnd = value.indexOf("\n", end);
    return { start: start, end: lineEnd === -1 ? value.length : lineEnd };
  }

  // Rewrite each selected line with `change(line, index)`; on an empty line, write `placeholder`
  // after the prefix and select it.
  function changeLines(editor, change, prefix, placeholder) {
    var lines = selectedLines(editor);
    var old = editor.value.substring(lines.start, lines.end);
    if (old.trim() === "") {
      var text = prefix + placeholder;
      var at = lines.start + prefix.length;
      replace(editor, lines.start, lines.end, text, at, at + placeholder.length);
      return;
    }
    var hadSelection = editor.selectionStart !== editor.selectionEnd;
    var changed = old.split("\n").map(change).join("\n");
    var endOfChange = lines.start + changed.length;
    replace(
      editor,
      lines.start,
      lines.end,
      changed,
      hadSelection ? lines.start : endOfChange,
      endOfChange
    );
  }

  var HEADING = /^#{1,6}[ \t]+/;
  var LIST_ITEM = /^(?:[-*+]|[0-9]{1,9}[.)])[ \t]+/;

  function heading(level) {
    var prefix = "#".repeat(level) + " ";
    return function (editor) {
      var lines = selectedLines(editor);
      var already = editor.value
        .substring(lines.start, lines.end)
        .split("\n")
        .every(function (line) {
          return line.indexOf(prefix) === 0 || line.trim() === "";
        });
      changeLines(
        editor,
        function (line) {
          if (line.trim() === "") return line;
          var text = line.replace(HEADING, "");
          return already ? text : prefix + text;
        },
        prefix,
        level === 2 ? "Heading" : "Subheading"
      );
    };
  }

  // A list or a quote: each non-empty line gets the prefix; if all have it, all lose it.
  function linePrefix(prefixFor, pattern, placeholder) {
    return function (editor) {
      var lines = selectedLines(editor);
      var text = editor.value.substring(lines.start, lines.end).split("\n");
      var filled = text.filter(function (line) {
        return line.trim() !== "";
      });
      var already =
        filled.length > 0 &&
        filled.every(function (line, index) {
          return line.indexOf(prefixFor(index)) === 0;
        });
      var number = 0;
      changeLines(
        editor,
        function (line) {
          if (line.trim() === "") return line;
          var prefix = prefixFor(number++);
          var bare = line.indexOf(prefix) === 0 ? line.substring(prefix.length) : line;
          if (pattern) bare = bare.replace(pattern, "");
          return already ? bare : prefix + bare;
        },
        prefixFor(0),
        placeholder
      );
    };
  }

  function link(editor) {
    var value = editor.value;
    var start = editor.selectionStart;
    var end = editor.selectionEnd;
    var selected = value.substring(start, end).trim();
    var text;
    var textSelected = false;
    var url = "https://";
    if (/^(https?:\/\/|mailto:|tel:)\S+$/i.test(selected)) {
      // An address was selected: it becomes the link, and the words for it are to be written.
      url = selected;
      text = "link text";
      textSelected = true;
    } else {
      text = selected || "link text";
    }
    var markdown = "[" + text + "](" + url + ")";
    if (textSelected) {
      replace(editor, start, end, markdown, start + 1, start + 1 + text.length);
    } else {
      var urlStart = start + text.length + 3;
      replace(editor, start, end, markdown, urlStart, urlStart + url.length);
    }
  }

  // A footnote: [^n] (the next free number) after the selection, and "[^n]: " on a line of its
  // own at the end of the text, where the cursor goes to write the source. One change, so one
  // Ctrl+Z undoes both.
  function footnote(editor) {
    var value = editor.value;
    var used = 0;
    value.replace(/\[\^([0-9]+)\]/g, function (match, number) {
      used = Math.max(used, parseInt(number, 10));
      return match;
    });
    var label = "[^" + (used + 1) + "]";
    var at = editor.selectionEnd;
    var rest = value.substring(at).replace(/\s+$/, "");
    var before = value.substring(0, at) + label + rest;
    var text = label + rest + (before.trim() === label ? "" : "\n\n") + label + ": ";
    var cursor = at + text.length;
    replace(editor, at, value.length, text, cursor, cursor);
  }

  // markdownx uploads a file dropped on the text and writes its Markdown at the cursor, with the
  // "Describe this image" alt text (upload-messages.js explains a refusal). It has no other way
  // in, so the chosen file is handed to it as a drop.
  function image(editor, toolbar) {
    var input = toolbar.parentNode.querySelector("input.editor-image-input");
    if (!input) {
      input = document.createElement("input");
      input.type = "file";
      input.accept = IMAGE_TYPES;
      input.hidden = true;
      input.className = "editor-image-input";
      input.addEventListener("change", function () {
        if (!input.files.length) return;
        var transfer = new DataTransfer();
        transfer.items.add(input.files[0]);
        editor.focus();
        editor.dispatchEvent(
          new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true })
        );
        input.value = "";
      });
      toolbar.parentNode.insertBefore(input, toolbar.nextSibling);
    }
    input.click();
  }

  // --- The toolbar ---------------------------------------------------------------------------

  var BUTTONS = [
    { label: "Bold", name: "Bold (" + MOD + "B)", key: "b", className: "is-bold",
      act: function (editor) { wrap(editor, "**", "**", "bold text"); } },
    { label: "Italic", name: "Italic (" + MOD + "I)", key: "i", className: "is-italic",
      act: function (editor) { wrap(editor, "_", "_", "italic text"); } },
    { label: "Heading", name: "Heading (level 2)", act: heading(2) },
    { label: "Subheading", name: "Subheading (level 3)", act: heading(3) },
    { label: "List", name: "Bulleted list",
      act: linePrefix(function () { return "- "; }, LIST_ITEM, "List item") },
    { label: "Numbered list", name: "Numbered list",
      act: linePrefix(function (index) { return index + 1 + ". "; }, LIST_ITEM, "List item") },
    { label: "Quote", name: "Quote",
      act: linePrefix(function () { return "> "; }, null, "Quoted text") },
    { label: "Link", name: "Link (" + MOD + "K)", key: "k", act: link },
    { label: "Image", name: "Image: upload a picture", act: image },
    { label: "Footnote", name: "Footnote: cite a source", act: footnote },
  ];

  function makeButton(label, name, className) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "editor-toolbar-button" + (className ? " " + className : "");
    button.textContent = label;
    button.title = name;
    button.setAttribute("aria-label", name);
    button.tabIndex = -1;
    return button;
  }

  function buildToolbar(container) {
    var editor = container.querySelector("textarea");
    if (!editor || container.querySelector(".editor-toolbar")) return;
    var toolbar = document.createElement("div");
    toolbar.className = "editor-toolbar";
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", "Formatting");
    toolbar.setAttribute("aria-controls", editor.id);

    BUTTONS.forEach(function (spec) {
      var button = makeButton(spec.label, spec.name, spec.className);
      button.addEventListener("click", function () {
        spec.act(editor, toolbar);
      });
      toolbar.appendChild(button);
    });

    var help = container.querySelector(".editor-help");
    if (help) {
      var helpButton = makeButton("Markdown help", "Markdown help", "is-help");
      helpButton.setAttribute("aria-expanded", "false");
      helpButton.setAttribute("aria-controls", help.id);
      helpButton.addEventListener("click", function () {
        help.hidden = !help.hidden;
        helpButton.setAttribute("aria-expanded", String(!help.hidden));
      });
      toolbar.appendChild(helpButton);
    }

    var buttons = Array.prototype.slice.call(toolbar.querySelectorAll("button"));
    buttons[0].tabIndex = 0;

    function moveTo(button) {
      buttons.forEach(function (other) {
        other.tabIndex = other === button ? 0 : -1;
      });
      button.focus();
    }

    toolbar.addEventListener("keydown", function (event) {
      var index = buttons.indexOf(document.activeElement);
      if (index === -1 || event.altKey || event.ctrlKey || event.metaKey) return;
      var next = {
        ArrowRight: buttons[(index + 1) % buttons.length],
        ArrowDown: buttons[(index + 1) % buttons.length],
        ArrowLeft: buttons[(index - 1 + buttons.length) % buttons.length],
        ArrowUp: buttons[(index - 1 + buttons.length) % buttons.length],
        Home: buttons[0],
        End: buttons[buttons.length - 1],
      }[event.key];
      if (next) {
        event.preventDefault();
        moveTo(next);
      } else if (event.key === "Escape") {
        event.preventDefault();
        editor.focus();
      }
    });
    // A click also makes that button the toolbar's Tab stop.
    toolbar.addEventListener("focusin", function (event) {
      if (buttons.indexOf(event.target) !== -1) moveTo(event.target);
    });

    editor.addEventListener("keydown", function (event) {
      if (event.key === "F10" && event.altKey) {
        event.preventDefault();
        toolbar.querySelector('[tabindex="0"]').focus();
        return;
      }
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
      var key = event.key.toLowerCase();
      BUTTONS.forEach(function (spec) {
        if (spec.key === key) {
          event.preventDefault();
          spec.act(editor, toolbar);
        }
      });
    });

    container.insertBefore(toolbar, help || editor);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".markdownx").forEach(buildToolbar);
  });
})();

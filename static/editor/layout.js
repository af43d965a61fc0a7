// Admin only. markdownx's editor (textarea + server-rendered preview), made easier to write in:
// - the preview follows the part being edited (the side-by-side layout itself is in admin.css);
// - live counts under the text: words, and minutes to read as the article's page says them;
// - an image pasted or dropped into the text shows its upload's progress, and once inserted its
//   alt text is selected, so typing replaces "Describe this image" at once.
"use strict";

(function () {
  // Python's \w+ in editor/reading_time.py: letters, digits (Unicode) and the underscore.
  var WORD = /[\p{L}\p{N}_]+/gu;
  var COUNTS_DELAY = 500; // ms after the last keystroke: a live region should not chatter
  var numbers = new Intl.NumberFormat("en-US");

  function countsText(text, wordsPerMinute) {
    var words = (text.match(WORD) || []).length;
    var minutes = Math.max(1, Math.ceil(words / wordsPerMinute));
    return numbers.format(words) + (words === 1 ? " word" : " words") + " · " + minutes + " min read";
  }

  // --- Where the caret is, in blocks of Markdown --------------------------------------------

  var ATX_HEADING = /^ {0,3}#{1,6}(?:[ \t]|$)/;
  var SETEXT_UNDERLINE = /^ {0,3}(?:=+|-+)[ \t]*$/;
  var FENCE = /^ {0,3}(`{3,}|~{3,})/;
  var BLANK = /^[ \t]*$/;

  // The top-level headings up to the line of `offset` in the Markdown, and the blocks (runs of
  // lines between blank lines) since the last of them: the preview has a top-level element for
  // each, near enough (a loose list is one element for several blocks; the clamp below absorbs
  // it).
  function sourcePosition(text, offset) {
    var lineEnd = text.indexOf("\n", offset);
    var headings = 0;
    var blocks = 0;
    var inBlock = false;
    var fence = null; // the opening fence while inside fenced code
    text
      .slice(0, lineEnd === -1 ? text.length : lineEnd)
      .split("\n")
      .forEach(function (line) {
        if (fence) {
          var closing = FENCE.exec(line);
          if (closing && closing[1][0] === fence[0] && closing[1].length >= fence.length) {
            fence = null;
            inBlock = false;
          }
          return;
        }
        var opening = FENCE.exec(line);
        if (opening) {
          fence = opening[1];
          blocks += 1;
          inBlock = true;
        } else if (ATX_HEADING.test(line) || (inBlock && SETEXT_UNDERLINE.test(line))) {
          headings += 1;
          blocks = 0;
          inBlock = false;
        } else if (BLANK.test(line)) {
          inBlock = false;
        } else if (!inBlock) {
          blocks += 1;
          inBlock = true;
        }
      });
    return { headings: headings, blocks: blocks };
  }

  function isHeading(element) {
    return /^H[1-6]$/.test(element.tagName);
  }

  // The preview's element for a source position, and the heading of its section (or null).
  function previewElement(preview, position) {
    var children = Array.prototype.slice.call(preview.children);
    if (!children.length) {
      return null;
    }
    var start = -1; // the section's heading
    var seen = 0;
    for (var i = 0; i < children.length && seen < position.headings; i++) {
      if (isHeading(children[i])) {
        seen += 1;
        start = i;
      }
    }
    var index = start === -1 ? position.blocks - 1 : start + position.blocks;
    // Stay within the section: the next heading starts another.
    for (var j = start + 1; j <= index && j < children.length; j++) {
      if (isHeading(children[j])) {
        index = j - 1;
        break;
      }
    }
    index = Math.min(Math.max(index, 0), children.length - 1);
    return { element: children[index], heading: start === -1 ? null : children[start] };
  }

  // Scroll the preview (only the preview: never the page) to show `found`, with its heading
  // when both fit. Stacked on a narrow screen, the preview does not scroll, so nothing moves.
  function reveal(preview, found) {
    if (!found || preview.scrollHeight <= preview.clientHeight) {
      return;
    }
    var top = preview.getBoundingClientRect().top + preview.clientTop;
    var margin = 16;
    var elementTop = found.element.getBoundingClientRect().top - top;
    if (elementTop >= margin && elementTop <= preview.clientHeight * 0.75) {
      return; // already in view: leave the preview still while typing
    }
    var anchor = found.element;
    if (found.heading) {
      var headingTop = found.heading.getBoundingClientRect().top - top;
      if (elementTop - headingTop < preview.clientHeight * 0.6) {
        anchor = found.heading;
      }
    }
    preview.scrollTop += anchor.getBoundingClientRect().top - top - margin;
  }

  // --- Uploads of pasted or dropped images ---------------------------------------------------

  // markdownx uploads with its own XMLHttpRequest, out of reach, sent while the paste or drop
  // event is being handled. That event marks its editor; the request sent meanwhile with an
  // image in its form is that editor's upload, and gets a progress bar.
  var uploadingInto = null;
  var send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (body) {
    var image = uploadingInto && body instanceof FormData ? body.get("image") : null;
    if (image instanceof File) {
      showUpload(uploadingInto, this, image);
    }
    return send.apply(this, arguments);
  };

  function markUploads(event) {
    var editor = event.currentTarget;
    uploadingInto = editor;
    window.setTimeout(function () {
      if (uploadingInto === editor) {
        uploadingInto = null;
      }
    }, 0);
  }

  function showUpload(editor, request, file) {
    var status = editor.querySelector(".editor-upload-status");
    var line = document.createElement("p");
    var label = document.createElement("label");
    var bar = document.createElement("progress"); // indeterminate until the first progress
    bar.max = 100;
    label.textContent = "Uploading " + file.name + "… ";
    label.appendChild(bar);
    line.appendChild(label);
    status.appendChild(line);
    request.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) {
        bar.value = Math.round((event.loaded / event.total) * 100);
      }
    });
    request.upload.addEventListener("load", function () {
      // Sent: the server now checks the image and makes its copies.
      label.firstChild.textContent = "Preparing " + file.name + "… ";
      bar.removeAttribute("value");
    });
    request.addEventListener("loadend", function () {
      line.remove();
    });
  }

  // After markdownx inserted "![Describe this image](…)", select the description.
  function selectAltText(event) {
    var textarea = event.currentTarget.querySelector("textarea");
    var response = event.detail && event.detail[0];
    var code = response && response.image_code;
    var alt = code && /^!\[([^\]]*)\]/.exec(code);
    var start = alt ? textarea.value.indexOf(code) : -1; // its address is new: it is unique
    if (start === -1) {
      return;
    }
    textarea.focus();
    textarea.setSelectionRange(start + 2, start + 2 + alt[1].length);
  }

  // --- Each editor ------------------------------------------------------------------------------

  function setUp(editor) {
    var textarea = editor.querySelector("textarea");
    var preview = editor.querySelector(".markdownx-preview");
    var wordsPerMinute = Number(textarea.dataset.wordsPerMinute);

    var counts = document.createElement("p");
    counts.className = "editor-counts";
    counts.setAttribute("aria-live", "polite");
    counts.textContent = countsText(textarea.value, wordsPerMinute);
    var status = document.createElement("div");
    status.className = "editor-upload-status";
    status.setAttribute("role", "status");
    textarea.after(counts, status);

    // Beside the text the preview scrolls on its own: the keyboard can reach and scroll it, and
    // a screen reader finds it by its name.
    var label = textarea.id && document.querySelector('label[for="' + textarea.id + '"]');
    var name = label ? label.textContent.trim().replace(/:$/, "") : "Text";
    preview.setAttribute("role", "region");
    preview.setAttribute("aria-label", name + ": preview");
    preview.tabIndex = 0;

    var countsTimer = null;
    textarea.addEventListener("input", function () {
      window.clearTimeout(countsTimer);
      countsTimer = window.setTimeout(function () {
        var text = countsText(textarea.value, wordsPerMinute);
        if (counts.textContent !== text) {
          counts.textContent = text;
        }
      }, COUNTS_DELAY);
    });

    var follow = function () {
      if (document.activeElement === textarea) {
        var position = sourcePosition(textarea.value, textarea.selectionStart);
        reveal(preview, previewElement(preview, position));
      }
    };
    // Scrolling the text without moving the caret: the preview keeps the same proportion. A
    // scroll just after typing or moving the caret is the textarea keeping the caret in view:
    // there the caret leads.
    var caretMovedAt = 0;
    var caretMoved = function () {
      caretMovedAt = Date.now();
    };
    textarea.addEventListener("keydown", caretMoved);
    textarea.addEventListener("input", caretMoved);
    textarea.addEventListener("scroll", function () {
      var range = textarea.scrollHeight - textarea.clientHeight;
      if (Date.now() - caretMovedAt < 300 || range <= 0) {
        return;
      }
      var fraction = textarea.scrollTop / range;
      preview.scrollTop = fraction * (preview.scrollHeight - preview.clientHeight);
    });

    var pending = false;
    document.addEventListener("selectionchange", function () {
      if (document.activeElement !== textarea) {
        return;
      }
      caretMoved();
      if (!pending) {
        pending = true;
        window.requestAnimationFrame(function () {
          pending = false;
          follow();
        });
      }
    });
    textarea.addEventListener("focus", follow);
    editor.addEventListener("markdownx.update", follow); // the preview was rendered again

    editor.addEventListener("paste", markUploads, true);
    editor.addEventListener("drop", markUploads, true);
    editor.addEventListener("markdownx.fileUploadEnd", selectAltText);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".markdownx").forEach(setUp);
  });
})();

// Admin only. Writing is never lost: while a clinician types, the form's text is kept in this
// browser (per admin page) and, every minute while it changes, on the server as a draft copy
// that is never published (editor/views.py: autosave). When the page is opened again and a kept
// copy differs from what the form shows, a notice offers it back. A copy is forgotten once the
// page after a save shows Django's success message, never on submit: the save may fail.
"use strict";

(function () {
  if (window.editorKeepLoaded) {
    return; // loaded by the editor widget and by every admin page
  }
  window.editorKeepLoaded = true;

  var PREFIX = "editor-keep:";
  var PENDING = "editor-keep-pending"; // per tab: the page whose form was just submitted
  var PENDING_FOR = 10 * 60 * 1000; // a success message later than this is another save's
  var KEEP_FOR = 30 * 24 * 60 * 60 * 1000; // as long as the server keeps its copies
  var TYPING_PAUSE = 400;
  var SERVER_EVERY = 60 * 1000;

  function read(storage, key) {
    try {
      return JSON.parse(storage.getItem(key));
    } catch (error) {
      return null;
    }
  }

  function write(storage, key, value) {
    try {
      storage.setItem(key, JSON.stringify(value));
    } catch (error) {
      // Private browsing or a full storage: the server copy still works.
    }
  }

  function forget(storage, key) {
    try {
      storage.removeItem(key);
    } catch (error) {
      // Nothing was kept.
    }
  }

  function dropOldCopies() {
    try {
      for (var i = localStorage.length - 1; i >= 0; i--) {
        var name = localStorage.key(i);
        var copy = name && name.indexOf(PREFIX) === 0 ? read(localStorage, name) : null;
        if (name && name.indexOf(PREFIX) === 0 && !(copy && Date.now() - Date.parse(copy.saved_at) < KEEP_FOR)) {
          localStorage.removeItem(name);
        }
      }
    } catch (error) {
      // No storage: nothing to tidy.
    }
  }

  // The page after a save: Django shows a success message there, so the save went through.
  function forgetSavedCopy() {
    var pending = read(sessionStorage, PENDING);
    if (!pending) {
      return;
    }
    if (Date.now() - pending.at > PENDING_FOR) {
      forget(sessionStorage, PENDING);
    } else if (document.querySelector(".messagelist .success")) {
      forget(localStorage, pending.key);
      forget(sessionStorage, PENDING);
    }
  }

  // The text fields a clinician writes in; not the hidden ones, not the related-reading table,
  // not the read-only "saved meanwhile" box.
  function textFields(form) {
    return Array.prototype.filter.call(form.querySelectorAll("textarea[name], input[name]"), function (field) {
      var isText = field.tagName === "TEXTAREA" || field.type === "text";
      return isText && !field.readOnly && !field.disabled && field.name.indexOf("-") === -1;
    });
  }

  function valuesOf(form) {
    var values = {};
    textFields(form).forEach(function (field) {
      values[field.name] = field.value;
    });
    return values;
  }

  function differs(copy, form) {
    return textFields(form).some(function (field) {
      return Object.prototype.hasOwnProperty.call(copy.fields, field.name) && copy.fields[field.name] !== field.value;
    });
  }

  function timeOf(iso) {
    var when = new Date(iso);
    var time = when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    if (when.toDateString() === new Date().toDateString()) {
      return time;
    }
    return when.toLocaleDateString([], { day: "numeric", month: "long" }) + ", " + time;
  }

  function button(label, onClick) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "button";
    element.textContent = label;
    element.addEventListener("click", onClick);
    return element;
  }

  // A message above the form, in the admin's own message style. Filled after it is in the page,
  // so screen readers announce it.
  function notice(form, className, role, level) {
    var box = document.querySelector("." + className);
    if (!box) {
      box = document.createElement("div");
      box.className = className;
      box.setAttribute("role", role);
      form.parentNode.insertBefore(box, form);
    }
    box.textContent = "";
    var list = document.createElement("ul");
    list.className = "messagelist";
    var item = document.createElement("li");
    item.className = level;
    list.appendChild(item);
    box.appendChild(list);
    return item;
  }

  function sendToServer(form, data) {
    var version = form.querySelector(".editor-version[data-autosave-url]");
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (!version || !token) {
      return Promise.resolve(null);
    }
    var body = new FormData();
    body.append("csrfmiddlewaretoken", token.value);
    body.append("key", location.pathname);
    Object.keys(data).forEach(function (name) {
      body.append(name, data[name]);
    });
    return fetch(version.dataset.autosaveUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token.value },
    });
  }

  function offerBack(form, key, copy, from) {
    var item = notice(form, "editor-keep", "status", "warning");
    var text = document.createElement("span");
    text.textContent = "You have unsaved changes from " + timeOf(copy.saved_at) + " (kept " + from + "). ";
    item.appendChild(text);
    item.appendChild(
      button("Restore", function () {
        textFields(form).forEach(function (field) {
          if (Object.prototype.hasOwnProperty.call(copy.fields, field.name) && copy.fields[field.name] !== field.value) {
            field.value = copy.fields[field.name];
            field.dispatchEvent(new Event("input", { bubbles: true })); // markdownx's preview too
          }
        });
        text.textContent = "Your changes from " + timeOf(copy.saved_at) + " are back in the form. Save to keep them.";
        text.setAttribute("tabindex", "-1");
        item.querySelectorAll("button").forEach(function (element) {
          element.remove();
        });
        text.focus();
      })
    );
    item.appendChild(document.createTextNode(" "));
    item.appendChild(
      button("Discard", function () {
        forget(localStorage, key);
        sendToServer(form, { discard: "1" }).catch(function () {});
        item.closest(".editor-keep").remove();
        var first = textFields(form)[0];
        if (first) {
          first.focus();
        }
      })
    );
  }

  // The newest kept copy (browser or server) that differs from what the form shows.
  function copyToOffer(form, key) {
    var candidates = [];
    var local = read(localStorage, key);
    if (local && local.fields) {
      // Not forgotten when the form shows it: a refused save shows unsaved text too.
      if (differs(local, form)) {
        candidates.push([local, "in this browser"]);
      }
    }
    var version = form.querySelector(".editor-version[data-server-copy]");
    var server = version ? JSON.parse(version.dataset.serverCopy) : null;
    if (server && differs(server, form)) {
      candidates.push([server, "on the server"]);
    }
    candidates.sort(function (a, b) {
      return Date.parse(b[0].saved_at) - Date.parse(a[0].saved_at);
    });
    return candidates[0];
  }

  function keep(form) {
    var key = PREFIX + location.pathname;
    var offer = copyToOffer(form, key);
    if (offer) {
      offerBack(form, key, offer[0], offer[1]);
    }

    var typingTimer = null;
    var changed = false;
    function storeHere() {
      window.clearTimeout(typingTimer);
      write(localStorage, key, { saved_at: new Date().toISOString(), fields: valuesOf(form) });
    }
    form.addEventListener("input", function () {
      changed = true;
      window.clearTimeout(typingTimer);
      typingTimer = window.setTimeout(storeHere, TYPING_PAUSE);
    });
    form.addEventListener("submit", function () {
      if (changed) {
        storeHere();
      }
      write(sessionStorage, PENDING, { key: key, at: Date.now() });
    });

    var lastSent = JSON.stringify(valuesOf(form));
    window.setInterval(function () {
      var fields = JSON.stringify(valuesOf(form));
      if (!changed || fields === lastSent) {
        return;
      }
      sendToServer(form, { fields: fields })
        .then(function (response) {
          if (!response) {
            return;
          }
          var warning = document.querySelector(".editor-keep-signed-out");
          if (response.ok) {
            lastSent = fields;
            if (warning) {
              warning.remove();
            }
          } else if (response.status === 403) {
            notice(form, "editor-keep-signed-out", "alert", "error").textContent =
              "Not signed in: your text is kept in this browser. Sign in again in another tab, " +
              "then save here.";
          }
        })
        .catch(function () {
          // Offline: the copy in this browser is still there; try again next minute.
        });
    }, SERVER_EVERY);
  }

  document.addEventListener("DOMContentLoaded", function () {
    dropOldCopies();
    forgetSavedCopy();
    var editor = document.querySelector("#content-main form .markdownx");
    if (editor) {
      keep(editor.closest("form"));
    }
  });
})();
